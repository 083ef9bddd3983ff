package dev.agentic.retrieval.embed;

/**
 * The embedding service could not answer now: unreachable, timed out, overloaded (429) or failing
 * (5xx). Retryable.
 */
public final class EmbeddingUnavailableException extends EmbeddingException {
    public EmbeddingUnavailableException(String message) {
        super(message);
    }

    public EmbeddingUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
