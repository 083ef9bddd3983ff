package dev.agentic.ingress.relay;

/**
 * A request's stream cannot end with its own terminal event: the request's hash and event log are
 * gone (expired before a worker took the job, past their retention, or lost by Redis).
 */
public final class RequestExpiredException extends RuntimeException {
    /** The code of the {@code error} event or problem a client gets. */
    public static final String CODE = "request_expired";

    private final String requestId;

    RequestExpiredException(String requestId) {
        super("The request's status and events are no longer kept; its answer cannot be delivered");
        this.requestId = requestId;
    }

    public String requestId() {
        return requestId;
    }
}
