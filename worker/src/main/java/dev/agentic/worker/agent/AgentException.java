package dev.agentic.worker.agent;

import org.jspecify.annotations.Nullable;

/**
 * A failure the client is told about: it becomes an {@code error} event with this code and message,
 * so the message must be fit for users (no internals).
 */
public class AgentException extends RuntimeException {
    private final String code;
    private final boolean retryable;

    public AgentException(String code, String message, boolean retryable, @Nullable Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
    }

    public AgentException(String code, String message, boolean retryable) {
        this(code, message, retryable, null);
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }
}
