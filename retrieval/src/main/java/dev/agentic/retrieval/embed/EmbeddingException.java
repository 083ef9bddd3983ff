package dev.agentic.retrieval.embed;

/** Embedding failed in a way a retry would not fix: a rejected request, a malformed answer. */
public class EmbeddingException extends RuntimeException {
    public EmbeddingException(String message) {
        super(message);
    }

    public EmbeddingException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the same call may succeed later. */
    public boolean retryable() {
        return false;
    }
}
