package dev.agentic.retrieval.store;

import dev.agentic.retrieval.Chunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small hand-made vectors and chunks for store tests. */
final class Vectors {
    private Vectors() {}

    static float[] vector(float... values) {
        return values;
    }

    static EmbeddedChunk chunk(String documentId, int index, String text, float... vector) {
        return new EmbeddedChunk(new Chunk(documentId, index, text, Map.of("title", "T-" + documentId)), vector);
    }

    /** {@code count} chunks of the document, chunk i pointing along axis i mod dimension. */
    static List<EmbeddedChunk> chunks(String documentId, int count, int dimension) {
        List<EmbeddedChunk> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] vector = new float[dimension];
            vector[i % dimension] = 1;
            vector[(i + 1) % dimension] = 0.1f * (i + 1);
            chunks.add(chunk(documentId, i, documentId + " chunk " + i, vector));
        }
        return chunks;
    }
}
