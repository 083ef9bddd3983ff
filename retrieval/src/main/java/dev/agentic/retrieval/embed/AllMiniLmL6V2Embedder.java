package dev.agentic.retrieval.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.List;

/** all-MiniLM-L6-v2 through ONNX Runtime, from langchain4j's artifact that ships the model. */
final class AllMiniLmL6V2Embedder implements Embedder {
    static final int DIMENSION = 384;

    private final EmbeddingModel model;

    private AllMiniLmL6V2Embedder(EmbeddingModel model) {
        this.model = model;
    }

    static Embedder shared() {
        return Holder.INSTANCE;
    }

    /** Loads the model on first use, once per JVM. */
    private static final class Holder {
        static final Embedder INSTANCE = new AllMiniLmL6V2Embedder(new AllMiniLmL6V2EmbeddingModel());
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public float[] embed(String text) {
        Vectors.requireTexts(List.of(text));
        return Vectors.normalized(model.embed(text).content().vector());
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        Vectors.requireTexts(texts);
        if (texts.isEmpty()) {
            return List.of();
        }
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        return model.embedAll(segments).content().stream()
                .map(Embedding::vector)
                .map(Vectors::normalized)
                .toList();
    }

    @Override
    public String toString() {
        return "Embedder[all-MiniLM-L6-v2, in-process, " + DIMENSION + " dimensions]";
    }
}
