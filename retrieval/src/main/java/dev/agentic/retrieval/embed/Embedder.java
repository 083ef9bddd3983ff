package dev.agentic.retrieval.embed;

import java.util.List;

/**
 * Turns text into unit-length vectors of a fixed dimension. Implementations are thread-safe.
 * Failures are {@link EmbeddingException}s; {@link EmbeddingUnavailableException} when a retry
 * may succeed.
 */
public interface Embedder {
    /** The length of every vector this embedder returns. */
    int dimension();

    /** The vector of one non-blank text. */
    float[] embed(String text);

    /** The vectors of non-blank texts, in the same order. */
    List<float[]> embedAll(List<String> texts);

    /**
     * all-MiniLM-L6-v2 in-process (384 dimensions, English; langchain4j embeds texts beyond 510
     * tokens in parts and averages them). The model loads once per JVM, which takes about a second;
     * every call returns that shared instance.
     */
    static Embedder allMiniLmL6V2() {
        return AllMiniLmL6V2Embedder.shared();
    }

    /** A client of an OpenAI-compatible {@code POST <base-url>/embeddings} endpoint. */
    static Embedder openAiCompatible(OpenAiEmbeddingSettings settings) {
        return new OpenAiCompatibleEmbedder(settings);
    }
}
