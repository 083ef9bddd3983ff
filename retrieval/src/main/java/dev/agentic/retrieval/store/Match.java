package dev.agentic.retrieval.store;

import dev.agentic.retrieval.Chunk;

/**
 * A chunk found by a search.
 *
 * @param chunk the stored chunk: document id, index, text and metadata
 * @param score cosine similarity to the query, from -1 to 1 (higher is nearer)
 */
public record Match(Chunk chunk, double score) {
    public Match {
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("score must be a number");
        }
    }
}
