package dev.agentic.retrieval.store;

import static dev.agentic.retrieval.store.Vectors.chunk;
import static dev.agentic.retrieval.store.Vectors.chunks;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.qdrant.QdrantContainer;

/**
 * The Qdrant adapter against a real Qdrant in Docker. Skipped where no Docker engine runs (as on
 * the project's machines); {@link QdrantVectorStoreProtocolTest} is the test that always runs.
 */
@Testcontainers(disabledWithoutDocker = true)
class QdrantContainerTest {
    private static final int DIMENSION = 4;

    @Container
    static final QdrantContainer QDRANT = new QdrantContainer("qdrant/qdrant:v1.18.0");

    private VectorStore store;

    @BeforeEach
    void connect() {
        store = VectorStore.qdrant(QdrantSettings.of(QDRANT.getHost(), DIMENSION)
                .withEndpoint(QDRANT.getHost(), QDRANT.getGrpcPort(), false)
                .withCollection("test_" + System.nanoTime())
                .withCheckCompatibility(true));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void upsertsAndFindsTheNearestChunks() {
        store.upsert("acme", "doc", List.of(chunk("doc", 0, "north", 0, 1, 0, 0), chunk("doc", 1, "east", 1, 0, 0, 0)));

        List<Match> matches = store.search("acme", new float[] {0.1f, 1, 0, 0}, 1);

        assertThat(matches).singleElement().satisfies(match -> {
            assertThat(match.chunk().text()).isEqualTo("north");
            assertThat(match.chunk().metadata()).containsEntry("title", "T-doc");
        });
    }

    @Test
    void neverReturnsAnotherTenantsChunks() {
        store.upsert("acme", "doc", chunks("doc", 3, DIMENSION));
        store.upsert("globex", "doc", chunks("doc", 3, DIMENSION));

        assertThat(store.search("acme", new float[] {1, 0, 0, 0}, 10)).hasSize(3);
        assertThat(store.search("initech", new float[] {1, 0, 0, 0}, 10)).isEmpty();
        store.delete("globex", "doc");
        assertThat(store.search("globex", new float[] {1, 0, 0, 0}, 10)).isEmpty();
        assertThat(store.search("acme", new float[] {1, 0, 0, 0}, 10)).hasSize(3);
    }

    @Test
    void reingestingReplacesTheDocumentsChunks() {
        store.upsert("acme", "doc", chunks("doc", 5, DIMENSION));

        store.upsert("acme", "doc", chunks("doc", 2, DIMENSION));

        assertThat(store.search("acme", new float[] {1, 1, 1, 1}, 10))
                .extracting(m -> m.chunk().index())
                .containsExactlyInAnyOrder(0, 1);
    }
}
