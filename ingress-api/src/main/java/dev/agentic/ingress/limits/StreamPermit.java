package dev.agentic.ingress.limits;

/** One open stream's place in its tenant's concurrent-stream limit; closing gives it back. */
@FunctionalInterface
public interface StreamPermit extends AutoCloseable {
    /** A permit for a tenant without a stream limit. */
    StreamPermit NONE = () -> {};

    /** Gives the place back (idempotent; never throws: an unreleased permit expires with its lease). */
    @Override
    void close();
}
