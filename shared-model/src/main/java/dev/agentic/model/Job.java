package dev.agentic.model;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A query waiting in a lane's stream. Serialised by {@link WireCodec}; fields a reader does not know
 * are ignored, so old and new instances can run side by side during a rolling upgrade.
 *
 * @param v wire format version that wrote the job ({@link #CURRENT_VERSION}); 0 on the wire means 1
 * @param id request id, also the hash tag of the request's keys
 * @param tenant owner of the request
 * @param agent agent type, e.g. {@code math}
 * @param query the user's text
 * @param sessionId optional conversation id
 * @param lane queue lane the job was put on
 * @param createdAtMs epoch millis when the ingress accepted it
 * @param deadlineMs epoch millis after which a worker drops the job with {@code deadline_exceeded}
 * @param traceparent W3C trace context of the accepting request, if any
 * @param chat the conversation and sampling parameters of an OpenAI API request, for an agent that
 *     passes them to its provider; null otherwise (and from writers that predate it)
 */
public record Job(
        int v,
        String id,
        String tenant,
        String agent,
        String query,
        @Nullable String sessionId,
        Lane lane,
        long createdAtMs,
        long deadlineMs,
        @Nullable String traceparent,
        @Nullable ChatOptions chat) {

    public static final int CURRENT_VERSION = 1;

    /** A job without chat options (every job but those of the OpenAI API). */
    public Job(
            int v,
            String id,
            String tenant,
            String agent,
            String query,
            @Nullable String sessionId,
            Lane lane,
            long createdAtMs,
            long deadlineMs,
            @Nullable String traceparent) {
        this(v, id, tenant, agent, query, sessionId, lane, createdAtMs, deadlineMs, traceparent, null);
    }

    public Job {
        v = v <= 0 ? 1 : v;
        requireNonNull(id, "id");
        if (!RequestId.isValid(id)) {
            throw new IllegalArgumentException("invalid request id: " + id);
        }
        requireNonBlank(tenant, "tenant");
        requireNonBlank(agent, "agent");
        requireNonNull(query, "query");
        requireNonNull(lane, "lane");
        if (deadlineMs < createdAtMs) {
            throw new IllegalArgumentException("deadline before creation time");
        }
    }

    private static void requireNonBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    public boolean isExpired(long nowMs) {
        return nowMs > deadlineMs;
    }
}
