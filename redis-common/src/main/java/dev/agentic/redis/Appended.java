package dev.agentic.redis;

import dev.agentic.model.EventId;
import org.jspecify.annotations.Nullable;

/**
 * What became of an event offered to the log.
 *
 * @param id the new entry's id when {@link Outcome#WRITTEN}
 */
public record Appended(Outcome outcome, @Nullable EventId id) {
    public enum Outcome {
        /** Written and published. */
        WRITTEN,
        /** Written before (a retry of the same event of the same attempt): nothing to do. */
        DUPLICATE,
        /** The request has its terminal event already, or is unknown: stop working on it. */
        ENDED,
        /** A later attempt owns the request now: stop, and leave the job to it. */
        SUPERSEDED
    }

    static Appended of(String reply) {
        return switch (reply) {
            case "ended" -> new Appended(Outcome.ENDED, null);
            case "stale" -> new Appended(Outcome.SUPERSEDED, null);
            case "dup" -> new Appended(Outcome.DUPLICATE, null);
            default -> new Appended(Outcome.WRITTEN, EventId.parse(reply));
        };
    }

    /** The event is in the log (now or from an earlier try). */
    public boolean isInLog() {
        return outcome == Outcome.WRITTEN || outcome == Outcome.DUPLICATE;
    }
}
