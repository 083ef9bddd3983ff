package dev.agentic.retrieval.store;

import static dev.agentic.retrieval.store.Vectors.chunk;
import static dev.agentic.retrieval.store.Vectors.chunks;
import static dev.agentic.retrieval.store.Vectors.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.agentic.retrieval.Chunk;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneVectorStoreTest {
    private static final int DIMENSION = 4;

    @TempDir
    Path directory;

    private final List<VectorStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(VectorStore::close);
    }

    @Test
    void findsTheTenantsNearestChunksBestFirst() {
        VectorStore store = open(settings());
        store.upsert(
                "acme",
                "doc",
                List.of(
                        chunk("doc", 0, "north", 0, 1, 0, 0),
                        chunk("doc", 1, "east", 1, 0, 0, 0),
                        chunk("doc", 2, "north-east", 1, 1, 0, 0)));

        List<Match> matches = store.search("acme", vector(0.1f, 1, 0, 0), 2);

        assertThat(matches).extracting(m -> m.chunk().text()).containsExactly("north", "north-east");
        assertThat(matches.get(0).score()).isGreaterThan(matches.get(1).score());
    }

    @Test
    void neverReturnsAnotherTenantsChunks() {
        VectorStore store = open(settings());
        store.upsert("acme", "shared-id", List.of(chunk("shared-id", 0, "acme secret", 1, 0, 0, 0)));
        store.upsert("globex", "other", List.of(chunk("other", 0, "globex far away", 0, 0, 0, 1)));

        List<Match> globex = store.search("globex", vector(1, 0, 0, 0), 10);
        List<Match> nobody = store.search("initech", vector(1, 0, 0, 0), 10);

        assertThat(globex).extracting(m -> m.chunk().text()).containsExactly("globex far away");
        assertThat(nobody).isEmpty();
    }

    @Test
    void treatsTheSameDocumentIdInTwoTenantsAsTwoDocuments() {
        VectorStore store = open(settings());
        store.upsert("acme", "handbook", List.of(chunk("handbook", 0, "acme handbook", 1, 0, 0, 0)));
        store.upsert("globex", "handbook", List.of(chunk("handbook", 0, "globex handbook", 1, 0, 0, 0)));

        store.delete("acme", "handbook");

        assertThat(store.search("acme", vector(1, 0, 0, 0), 5)).isEmpty();
        assertThat(store.search("globex", vector(1, 0, 0, 0), 5))
                .extracting(m -> m.chunk().text())
                .containsExactly("globex handbook");
    }

    @Test
    void replacesTheDocumentsChunksOnUpsertWithoutDuplicates() {
        VectorStore store = open(settings());
        store.upsert("acme", "doc", chunks("doc", 3, DIMENSION));

        store.upsert(
                "acme",
                "doc",
                List.of(chunk("doc", 0, "new first", 1, 0, 0, 0), chunk("doc", 1, "new second", 0, 1, 0, 0)));

        assertThat(store.search("acme", vector(1, 1, 1, 1), 10))
                .extracting(m -> m.chunk().text())
                .containsExactlyInAnyOrder("new first", "new second");
    }

    @Test
    void deletesTheDocumentWhenUpsertedWithNoChunks() {
        VectorStore store = open(settings());
        store.upsert("acme", "doc", chunks("doc", 2, DIMENSION));

        store.upsert("acme", "doc", List.of());

        assertThat(store.search("acme", vector(1, 1, 1, 1), 10)).isEmpty();
    }

    @Test
    void deletesOnlyTheNamedDocument() {
        VectorStore store = open(settings());
        store.upsert("acme", "keep", chunks("keep", 2, DIMENSION));
        store.upsert("acme", "drop", chunks("drop", 2, DIMENSION));

        store.delete("acme", "drop");
        store.delete("acme", "never-existed");

        assertThat(store.search("acme", vector(1, 1, 1, 1), 10))
                .extracting(m -> m.chunk().documentId())
                .containsOnly("keep")
                .hasSize(2);
    }

    @Test
    void returnsEachChunkWithItsIndexTextAndMetadata() {
        VectorStore store = open(settings());
        store.upsert("acme", "doc", List.of(chunk("doc", 7, "the text", 1, 0, 0, 0)));

        Chunk found = store.search("acme", vector(1, 0, 0, 0), 1).getFirst().chunk();

        assertThat(found).isEqualTo(new Chunk("doc", 7, "the text", java.util.Map.of("title", "T-doc")));
    }

    @Test
    void scoresByCosineSimilarityWhateverTheVectorLengths() {
        VectorStore store = open(settings());
        store.upsert(
                "acme",
                "doc",
                List.of(
                        chunk("doc", 0, "same direction", 5, 0, 0, 0),
                        chunk("doc", 1, "orthogonal", 0, 3, 0, 0),
                        chunk("doc", 2, "opposite", -2, 0, 0, 0)));

        List<Match> matches = store.search("acme", vector(0.5f, 0, 0, 0), 3);

        assertThat(matches)
                .extracting(Match::score)
                .satisfiesExactly(
                        s -> assertThat(s).isCloseTo(1.0, within(1e-5)),
                        s -> assertThat(s).isCloseTo(0.0, within(1e-5)),
                        s -> assertThat(s).isCloseTo(-1.0, within(1e-5)));
    }

    @Test
    void refusesMalformedArguments() {
        VectorStore store = open(settings());

        assertThatThrownBy(() -> store.search("acme", vector(1, 0, 0), 1)).hasMessageContaining("3 dimensions");
        assertThatThrownBy(() -> store.search("acme", vector(1, 0, 0, 0), 0)).hasMessageContaining("topK");
        assertThatThrownBy(() -> store.search(" ", vector(1, 0, 0, 0), 1)).hasMessageContaining("tenant");
        assertThatThrownBy(() -> store.upsert("acme", "doc", List.of(chunk("other", 0, "x", 1, 0, 0, 0))))
                .hasMessageContaining("belongs to document other");
        assertThatThrownBy(() -> store.upsert("acme", "doc", List.of(chunk("doc", 0, "x", 0, 0, 0, 0))))
                .hasMessageContaining("zero vector");
    }

    @Test
    void keepsItsChunksAcrossReopening() {
        VectorStore first = open(settings());
        first.upsert("acme", "doc", chunks("doc", 2, DIMENSION));
        first.close();

        VectorStore reopened = open(settings());

        assertThat(reopened.search("acme", vector(1, 1, 1, 1), 10)).hasSize(2);
    }

    @Test
    void aWriteThroughOneInstanceBecomesVisibleToAnotherOnTheSameDirectory() {
        VectorStore first = open(settings());
        VectorStore second = open(settings());

        first.upsert("acme", "from-first", chunks("from-first", 1, DIMENSION));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(second.search("acme", vector(1, 0, 0, 0), 5))
                        .extracting(m -> m.chunk().documentId())
                        .contains("from-first"));

        second.upsert("acme", "from-second", chunks("from-second", 1, DIMENSION));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(first.search("acme", vector(1, 0, 0, 0), 5))
                        .extracting(m -> m.chunk().documentId())
                        .contains("from-second"));
    }

    @Test
    void withAZeroRefreshIntervalTheNextSearchSeesAnotherInstancesWrite() {
        LuceneStoreSettings everySearch = settings().withRefreshInterval(Duration.ZERO);
        VectorStore first = open(everySearch);
        VectorStore second = open(everySearch);
        assertThat(second.search("acme", vector(1, 0, 0, 0), 5)).isEmpty(); // its reader is open now

        for (int round = 0; round < 20; round++) {
            String id = "doc-" + round;
            first.upsert("acme", id, chunks(id, 1, DIMENSION));
            assertThat(second.search("acme", vector(1, 0, 0, 0), 50))
                    .as("round %d: the write returned, so the other instance's next search sees it", round)
                    .extracting(m -> m.chunk().documentId())
                    .contains(id);
        }
    }

    @Test
    void twoInstancesWritingAtOnceTakeTurnsAndLoseNothing() {
        LuceneStoreSettings shortHold = settings().withWriterHold(Duration.ofMillis(50), Duration.ofMillis(200));
        VectorStore first = open(shortHold);
        VectorStore second = open(shortHold);

        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> writeDocuments(first, "a", 15));
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> writeDocuments(second, "b", 15));
        CompletableFuture.allOf(a, b).orTimeout(60, TimeUnit.SECONDS).join();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(first.search("acme", vector(1, 1, 1, 1), 100)).hasSize(30);
            assertThat(second.search("acme", vector(1, 1, 1, 1), 100)).hasSize(30);
        });
    }

    @Test
    void failsRetryablyWhenAnotherWriterHoldsTheLockPastTheTimeout() {
        VectorStore holder = open(settings().withWriterHold(Duration.ofSeconds(30), Duration.ofSeconds(30)));
        VectorStore waiter = open(settings().withWriteLockTimeout(Duration.ofMillis(300)));
        holder.upsert("acme", "held", chunks("held", 1, DIMENSION)); // keeps the writer open for 30 s

        assertThatThrownBy(() -> waiter.upsert("acme", "blocked", chunks("blocked", 1, DIMENSION)))
                .isInstanceOf(VectorStoreUnavailableException.class)
                .hasMessageContaining("locked by another writer")
                .satisfies(
                        e -> assertThat(((VectorStoreException) e).retryable()).isTrue());

        holder.close(); // releases the lock
        waiter.upsert("acme", "blocked", chunks("blocked", 1, DIMENSION));
        assertThat(waiter.search("acme", vector(1, 0, 0, 0), 5))
                .extracting(m -> m.chunk().documentId())
                .contains("held", "blocked");
    }

    @Test
    void aWriteByAnotherJvmBecomesVisibleWithinSeconds() throws IOException, InterruptedException {
        VectorStore store = open(settings());
        store.upsert("acme", "from-parent", chunks("from-parent", 1, DIMENSION)); // parent holds the lock a moment

        Process child = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElseThrow(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LuceneWriterProcess.class.getName(),
                        directory.toString(),
                        "acme",
                        "from-child")
                .redirectErrorStream(true)
                .start();
        try {
            assertThat(child.waitFor(60, TimeUnit.SECONDS))
                    .as("child JVM finished")
                    .isTrue();
            String output = new String(child.getInputStream().readAllBytes());
            assertThat(child.exitValue()).as(output).isZero();
        } finally {
            child.destroyForcibly();
        }

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(store.search("acme", vector(0, 0, 1, 0), 5))
                        .extracting(m -> m.chunk().text())
                        .contains("written by another JVM"));
    }

    private static void writeDocuments(VectorStore store, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            String id = prefix + i;
            store.upsert("acme", id, List.of(chunk(id, 0, id, 1, 1, 1, i + 1)));
        }
    }

    private LuceneStoreSettings settings() {
        return LuceneStoreSettings.of(directory, DIMENSION)
                .withRefreshInterval(Duration.ofMillis(200))
                .withWriterHold(Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    private VectorStore open(LuceneStoreSettings settings) {
        VectorStore store = VectorStore.lucene(settings);
        opened.add(store);
        return store;
    }
}
