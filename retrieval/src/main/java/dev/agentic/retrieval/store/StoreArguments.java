package dev.agentic.retrieval.store;

import dev.agentic.retrieval.Limits;
import java.util.List;

/** The argument checks every adapter makes before touching its backend. */
final class StoreArguments {
    private StoreArguments() {}

    static void requireUpsert(String tenant, String documentId, List<EmbeddedChunk> chunks, int dimension) {
        Limits.requireTenant(tenant);
        Limits.requireDocumentId(documentId);
        for (EmbeddedChunk chunk : chunks) {
            if (!chunk.chunk().documentId().equals(documentId)) {
                throw new IllegalArgumentException("chunk " + chunk.chunk().index() + " belongs to document "
                        + chunk.chunk().documentId() + ", not " + documentId);
            }
            requireDimension(chunk.vector().length, dimension);
        }
        long distinct =
                chunks.stream().mapToInt(c -> c.chunk().index()).distinct().count();
        if (distinct != chunks.size()) {
            throw new IllegalArgumentException("document " + documentId + " has two chunks with the same index");
        }
    }

    static void requireDelete(String tenant, String documentId) {
        Limits.requireTenant(tenant);
        Limits.requireDocumentId(documentId);
    }

    static void requireSearch(String tenant, float[] query, int topK, int dimension) {
        Limits.requireTenant(tenant);
        requireDimension(query.length, dimension);
        if (topK < 1 || topK > VectorStore.MAX_TOP_K) {
            throw new IllegalArgumentException("topK must be from 1 to " + VectorStore.MAX_TOP_K + ": " + topK);
        }
    }

    private static void requireDimension(int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("vector has " + actual + " dimensions, the store holds " + expected);
        }
    }
}
