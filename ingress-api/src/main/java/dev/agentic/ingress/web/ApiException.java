package dev.agentic.ingress.web;

import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * A refusal the client caused or must know about; {@link ProblemAdvice} turns it into an {@code
 * application/problem+json} response with {@link #type()} as the problem type.
 */
public class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final String code;
    private final Map<String, Object> properties;
    private final Map<String, String> headers;

    public ApiException(HttpStatus status, String code, String detail, Map<String, Object> properties) {
        this(status, code, detail, properties, Map.of());
    }

    /** @param headers response headers beside the problem (e.g. rate-limit fields) */
    public ApiException(
            HttpStatus status,
            String code,
            String detail,
            Map<String, Object> properties,
            Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.code = code;
        this.properties = Map.copyOf(properties);
        this.headers = Map.copyOf(headers);
    }

    public ApiException(HttpStatus status, String code, String detail) {
        this(status, code, detail, Map.of());
    }

    public static ApiException notFound(String id) {
        return new ApiException(HttpStatus.NOT_FOUND, "not_found", "No query with id '" + printable(id) + "'");
    }

    public static ApiException redisUnavailable() {
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "redis_unavailable",
                "The queue is unreachable; nothing was accepted. Retry shortly.",
                Map.of("retryable", true));
    }

    /**
     * The refusal for a failed Redis command: {@link #redisFull()} when Redis answered {@code OOM}
     * (it is at {@code maxmemory} and refuses writes), else {@link #redisUnavailable()}. Takes
     * Lettuce's exceptions (connection, timeout, script errors).
     */
    public static ApiException redisFailure(RuntimeException e) {
        return isOutOfMemory(e) ? redisFull() : redisUnavailable();
    }

    /** Redis is at its {@code maxmemory} (policy {@code noeviction}): it refuses every write until memory frees. */
    public static ApiException redisFull() {
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "redis_full",
                "The queue's storage is full and takes no new work for now. Retry later.",
                Map.of("retryable", true, "retry_after_seconds", REDIS_FULL_RETRY_SECONDS));
    }

    /** Seconds a client is told to wait after {@code redis_full}. */
    static final int REDIS_FULL_RETRY_SECONDS = 5;

    /** True for Redis's {@code OOM command not allowed when used memory > 'maxmemory'}, wrapped or not. */
    static boolean isOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.startsWith("OOM ") || message.contains("used memory > 'maxmemory'"))) {
                return true;
            }
        }
        return false;
    }

    /** This instance is draining: try again, another instance will take it. */
    public static ApiException shuttingDown() {
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "shutting_down",
                "This instance is shutting down; retry, another instance will answer",
                Map.of("retryable", true));
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public URI type() {
        return ProblemAdvice.typeOf(code);
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** An id echoed back safely: printable ASCII only, bounded. */
    public static String printable(String text) {
        String cleaned = text.replaceAll("[^\\x20-\\x7e]", "?");
        return cleaned.length() <= 64 ? cleaned : cleaned.substring(0, 64) + "...";
    }
}
