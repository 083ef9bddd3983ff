package dev.agentic.redis;

import dev.agentic.model.EventId;

/**
 * What became of an attempt's write, and so of the attempt: the one vocabulary the emit script,
 * the event sink, the job runner and the consumer share. The consumer acknowledges a job's entry
 * exactly when its attempt ends {@link #requestHasEnded() with the request ended}.
 */
public sealed interface AttemptOutcome {
    /** Written to the log and published. */
    record Written(EventId id) implements AttemptOutcome {}

    /** Written before: a retry of the same event of the same attempt (same sequence number). */
    record Duplicate() implements AttemptOutcome {}

    /** The request has its terminal event already (or is unknown): stop working on it. */
    record Ended() implements AttemptOutcome {}

    /** A later attempt has begun (another worker reclaimed the job): stop without writing, leave the job to it. */
    record Superseded() implements AttemptOutcome {}

    /**
     * This worker cannot finish the attempt: Redis stayed unreachable past the retry time, or the
     * worker is stopping. The job stays pending for a later attempt.
     */
    record Lost() implements AttemptOutcome {}

    AttemptOutcome DUPLICATE = new Duplicate();
    AttemptOutcome ENDED = new Ended();
    AttemptOutcome SUPERSEDED = new Superseded();
    AttemptOutcome LOST = new Lost();

    /** The emit script's reply: an entry id, {@code dup}, {@code ended} or {@code superseded}. */
    static AttemptOutcome fromReply(String reply) {
        return switch (reply) {
            case "ended" -> ENDED;
            case "superseded" -> SUPERSEDED;
            case "dup" -> DUPLICATE;
            default -> new Written(EventId.parse(reply));
        };
    }

    /** The event is in the log (now or from an earlier try of the same write). */
    default boolean isInLog() {
        return switch (this) {
            case Written written -> true;
            case Duplicate duplicate -> true;
            case Ended ended -> false;
            case Superseded superseded -> false;
            case Lost lost -> false;
        };
    }

    /**
     * Whether the attempt may go on writing: false once the request ended, another attempt took
     * over or Redis is lost.
     */
    default boolean isOpen() {
        return isInLog();
    }

    /**
     * As the attempt's last outcome: the request has its terminal event, so the job's entry may be
     * acknowledged; otherwise (superseded, lost) it stays pending for whoever runs it next.
     */
    default boolean requestHasEnded() {
        return switch (this) {
            case Written written -> true;
            case Duplicate duplicate -> true;
            case Ended ended -> true;
            case Superseded superseded -> false;
            case Lost lost -> false;
        };
    }
}
