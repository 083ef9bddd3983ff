package dev.agentic.retrieval.embed;

import java.util.List;

/** Checks and normalisation shared by the embedders. */
final class Vectors {
    private Vectors() {}

    /** A unit-length copy of the vector. */
    static float[] normalized(float[] vector) {
        double sum = 0;
        for (float v : vector) {
            sum += (double) v * v;
        }
        if (sum == 0 || !Double.isFinite(sum)) {
            throw new EmbeddingException("the embedding is zero or not finite; it cannot be normalised");
        }
        float scale = (float) (1 / Math.sqrt(sum));
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = vector[i] * scale;
        }
        return unit;
    }

    static void requireTexts(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isBlank()) {
                throw new IllegalArgumentException("text " + i + " is blank; blank texts have no embedding");
            }
        }
    }
}
