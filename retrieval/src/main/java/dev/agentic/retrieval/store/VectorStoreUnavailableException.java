package dev.agentic.retrieval.store;

/**
 * The vector store could not be reached or did not answer in time (Qdrant {@code UNAVAILABLE} or
 * {@code DEADLINE_EXCEEDED}; the Lucene index locked by another writer for too long). Retryable.
 */
public final class VectorStoreUnavailableException extends VectorStoreException {
    public VectorStoreUnavailableException(String message) {
        super(message);
    }

    public VectorStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
