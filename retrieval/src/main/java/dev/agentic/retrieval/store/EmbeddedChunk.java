package dev.agentic.retrieval.store;

import dev.agentic.retrieval.Chunk;
import java.util.Arrays;

/** A chunk with its vector. The vector is copied in and out, so the record stays immutable. */
public record EmbeddedChunk(Chunk chunk, float[] vector) {
    public EmbeddedChunk {
        if (vector.length == 0) {
            throw new IllegalArgumentException("vector of chunk " + chunk.index() + " is empty");
        }
        for (float v : vector) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("vector of chunk " + chunk.index() + " is not finite");
            }
        }
        vector = vector.clone();
    }

    @Override
    public float[] vector() {
        return vector.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EmbeddedChunk that && chunk.equals(that.chunk) && Arrays.equals(vector, that.vector);
    }

    @Override
    public int hashCode() {
        return 31 * chunk.hashCode() + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "EmbeddedChunk[chunk=" + chunk + ", dimension=" + vector.length + "]";
    }
}
