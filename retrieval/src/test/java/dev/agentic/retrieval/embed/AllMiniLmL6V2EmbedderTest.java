package dev.agentic.retrieval.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AllMiniLmL6V2EmbedderTest {
    private static Embedder embedder;

    @BeforeAll
    static void loadModelOnce() {
        embedder = Embedder.allMiniLmL6V2();
    }

    @Test
    void makesUnitVectorsOf384Dimensions() {
        float[] vector = embedder.embed("How do I reset my password?");

        assertThat(embedder.dimension()).isEqualTo(384);
        assertThat(vector).hasSize(384);
        assertThat(norm(vector)).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void ranksAParaphraseAboveAnUnrelatedText() {
        float[] question = embedder.embed("How do I reset my password?");
        float[] paraphrase = embedder.embed("Steps to change a forgotten account password");
        float[] unrelated = embedder.embed("The recipe needs two cups of flour and an egg");

        assertThat(dot(question, paraphrase)).isGreaterThan(dot(question, unrelated) + 0.2);
    }

    @Test
    void embedsAListLikeEachTextAlone() {
        List<String> texts = List.of("first text about queues", "second text about vectors");

        List<float[]> vectors = embedder.embedAll(texts);

        assertThat(vectors).hasSize(2);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(dot(vectors.get(i), embedder.embed(texts.get(i)))).isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void returnsTheSameSharedModelEveryTime() {
        assertThat(Embedder.allMiniLmL6V2()).isSameAs(embedder);
    }

    @Test
    void refusesBlankText() {
        assertThatThrownBy(() -> embedder.embed(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(embedder.embedAll(List.of())).isEmpty();
    }

    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double norm(float[] vector) {
        return Math.sqrt(dot(vector, vector));
    }
}
