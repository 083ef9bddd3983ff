package dev.agentic.retrieval.store;

/** A vector store operation failed in a way a retry would not fix. */
public class VectorStoreException extends RuntimeException {
    public VectorStoreException(String message) {
        super(message);
    }

    public VectorStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the same call may succeed later. */
    public boolean retryable() {
        return false;
    }
}
