package dev.agentic.redis;

import dev.agentic.model.StreamEvent;
import io.lettuce.core.RedisException;
import java.time.Duration;

/**
 * Writes the events of one attempt at a request, numbering them so that a retry after a lost reply
 * is not written twice. While Redis is unreachable an append retries with backoff for the
 * configured time, then throws; the job then stays unacknowledged and is reclaimed later.
 */
public final class AttemptWriter {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private final EventLog log;
    private final String requestId;
    private final int attempt;
    private final Duration retryFor;
    private int seq;

    AttemptWriter(EventLog log, String requestId, int attempt, Duration retryFor) {
        this.log = log;
        this.requestId = requestId;
        this.attempt = attempt;
        this.retryFor = retryFor;
    }

    public int attempt() {
        return attempt;
    }

    /** Appends a non-terminal event. */
    public synchronized AttemptOutcome append(StreamEvent event) {
        if (event.isTerminal()) {
            throw new IllegalArgumentException("use finish() for terminal events");
        }
        return write(event, "");
    }

    /** Appends the terminal event with the final answer, unless the request has ended already. */
    public synchronized AttemptOutcome finish(StreamEvent terminal, String answer) {
        if (!terminal.isTerminal()) {
            throw new IllegalArgumentException(terminal.type() + " is not terminal");
        }
        return write(terminal, answer);
    }

    private AttemptOutcome write(StreamEvent event, String answer) {
        int number = ++seq;
        long deadline = System.nanoTime() + retryFor.toNanos();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                return log.emit(requestId, event, answer, attempt, number);
            } catch (RedisException e) {
                if (System.nanoTime() + backoff.toNanos() > deadline || !sleep(backoff)) {
                    throw e;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static boolean sleep(Duration duration) {
        try {
            Thread.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
