package dev.agentic.retrieval;

import java.util.concurrent.CancellationException;

/**
 * Where long work on one document asks whether to go on: chunking asks at every line, paragraph,
 * sentence and tile, ingestion before every embedding batch and before the store is written. It is
 * called on the working thread and often, so it must be cheap (a flag or two, never I/O).
 */
@FunctionalInterface
public interface Checkpoint {
    /**
     * Goes on until the working thread is interrupted; then throws, leaving the interrupt flag set
     * for whoever catches the exception.
     */
    Checkpoint INTERRUPTS = () -> {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("interrupted");
        }
    };

    /**
     * Returns when the work may go on.
     *
     * @throws CancellationException when it must stop; nothing is stored then
     */
    void check();
}
