package dev.agentic.redis;

import dev.agentic.model.StreamEvent;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the events of one attempt at a request, in batches (one emit script call each), numbering
 * the batches so that a retry after a lost reply is not written twice. While Redis is unreachable an append retries with backoff for the
 * configured time, then throws; the job then stays unacknowledged and is reclaimed later.
 */
public final class AttemptWriter {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private final EventLog log;
    private final String requestId;
    private final int attempt;
    private final Duration retryFor;
    /** The first batch refreshes the keys' TTL. */
    private final boolean refreshTtl;

    private int seq;

    AttemptWriter(EventLog log, String requestId, int attempt, Duration retryFor, boolean refreshTtl) {
        this.log = log;
        this.requestId = requestId;
        this.attempt = attempt;
        this.retryFor = retryFor;
        this.refreshTtl = refreshTtl;
    }

    public int attempt() {
        return attempt;
    }

    /** Appends a non-terminal event. */
    public AttemptOutcome append(StreamEvent event) {
        return append(List.of(event));
    }

    /** Appends non-terminal events, in order, in one batch. */
    public synchronized AttemptOutcome append(List<StreamEvent> events) {
        for (StreamEvent event : events) {
            if (event.isTerminal()) {
                throw new IllegalArgumentException("use finish() for terminal events");
            }
        }
        return write(events, "");
    }

    /** Appends the terminal event with the final answer, unless the request has ended already. */
    public AttemptOutcome finish(StreamEvent terminal, String answer) {
        return finish(List.of(), terminal, answer);
    }

    /**
     * Appends {@code before} and then the terminal event with the final answer, in one batch, unless
     * the request has ended already.
     */
    public synchronized AttemptOutcome finish(List<StreamEvent> before, StreamEvent terminal, String answer) {
        if (!terminal.isTerminal()) {
            throw new IllegalArgumentException(terminal.type() + " is not terminal");
        }
        List<StreamEvent> batch = new ArrayList<>(before.size() + 1);
        batch.addAll(before);
        batch.add(terminal);
        return write(batch, answer);
    }

    private AttemptOutcome write(List<StreamEvent> batch, String answer) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("nothing to write");
        }
        boolean first = seq == 0;
        int number = ++seq;
        long deadline = System.nanoTime() + retryFor.toNanos();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                return log.emit(requestId, batch, answer, attempt, number, first && refreshTtl, "");
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
