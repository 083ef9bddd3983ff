package dev.agentic.retrieval.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.retrieval.Checkpoint;
import dev.agentic.retrieval.Document;
import dev.agentic.retrieval.Limits;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Splitting stops within one step (a line, sentence or tile) once its checkpoint says so. */
class ChunkerStopTest {
    private static final Duration STOP_WITHIN = Duration.ofSeconds(1);
    private static final Document LARGEST =
            Document.markdown("t", "d", "", HostileText.of(11, Limits.MAX_DOCUMENT_LENGTH));

    @Test
    void refusesToSplitOnAnInterruptedThreadAndLeavesTheFlagSet() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Chunker.create(ChunkingOptions.defaults()).split(LARGEST))
                    .isInstanceOf(CancellationException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void stopsSplittingMidwayWhenItsThreadIsInterrupted() throws InterruptedException {
        Splitting splitting = Splitting.start(Checkpoint.INTERRUPTS);

        splitting.thread.interrupt();

        splitting.assertStoppedWithin(STOP_WITHIN);
        assertThat(splitting.interruptFlagAtTheEnd.get()).isTrue();
    }

    @Test
    void stopsSplittingMidwayWhenItsCheckpointSaysSo() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Splitting splitting = Splitting.start(() -> {
            if (stop.get()) {
                throw new CancellationException("stopped");
            }
        });

        stop.set(true);

        splitting.assertStoppedWithin(STOP_WITHIN);
    }

    /** The largest document being split on a thread of its own, known to be past its first steps. */
    private record Splitting(Thread thread, AtomicReference<Object> outcome, AtomicBoolean interruptFlagAtTheEnd) {
        static Splitting start(Checkpoint checkpoint) throws InterruptedException {
            CountDownLatch running = new CountDownLatch(1000);
            AtomicReference<Object> outcome = new AtomicReference<>();
            AtomicBoolean flag = new AtomicBoolean();
            Thread thread = Thread.ofPlatform().name("splitting").start(() -> {
                try {
                    outcome.set(Chunker.create(ChunkingOptions.defaults()).split(LARGEST, () -> {
                        running.countDown();
                        checkpoint.check();
                    }));
                } catch (RuntimeException e) {
                    outcome.set(e);
                }
                flag.set(Thread.currentThread().isInterrupted());
            });
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            return new Splitting(thread, outcome, flag);
        }

        void assertStoppedWithin(Duration limit) throws InterruptedException {
            assertThat(thread.join(limit)).as("stopped within " + limit).isTrue();
            assertThat(outcome.get()).isInstanceOf(CancellationException.class);
        }
    }
}
