package dev.agentic.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentic.retrieval.Document;
import dev.agentic.retrieval.store.VectorStoreException;
import dev.agentic.retrieval.store.VectorStoreUnavailableException;
import dev.agentic.testsupport.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the worker opens its knowledge base: lazily, sharing the host's Lucene index, surviving a missing store. */
class LazyKnowledgeSourceTest {
    @TempDir
    Path directory;

    private static WorkerProperties.Retrieval retrieval(WorkerProperties.StoreType type, String indexDir, int port) {
        return new WorkerProperties.Retrieval(
                new WorkerProperties.Embedder(
                        WorkerProperties.EmbedderType.MINILM, null, null, null, null, Duration.ofSeconds(30)),
                new WorkerProperties.Store(
                        type,
                        indexDir,
                        Duration.ofSeconds(1),
                        new WorkerProperties.Qdrant(
                                "127.0.0.1", port, null, false, Duration.ofSeconds(2), "agentic_chunks")),
                new WorkerProperties.Chunking(800, 100),
                new WorkerProperties.Rag(5, 0.25, WorkerProperties.AnswerMode.EXTRACTIVE));
    }

    @Test
    void opensAQdrantStoreThatIsDownAndFailsRetryablyOnlyWhenItIsUsed() {
        int closedPort = FreePorts.next();
        try (LazyKnowledgeSource source =
                new LazyKnowledgeSource(retrieval(WorkerProperties.StoreType.QDRANT, "unused", closedPort))) {
            var knowledge = source.get(); // does not contact Qdrant

            assertThatThrownBy(() -> knowledge.search("acme", "anything", 5))
                    .isInstanceOf(VectorStoreUnavailableException.class);
            assertThat(source.get()).isSameAs(knowledge);
        }
    }

    @Test
    void failsEveryUseOfAnUnusableIndexDirectoryWithoutRememberingTheFailure() throws IOException {
        Path notADirectory = Files.writeString(directory.resolve("file"), "x");
        try (LazyKnowledgeSource source =
                new LazyKnowledgeSource(retrieval(WorkerProperties.StoreType.LUCENE, notADirectory.toString(), 6334))) {
            assertThatThrownBy(source::get).isInstanceOf(VectorStoreException.class);

            Files.delete(notADirectory);

            assertThat(source.get().search("acme", "anything", 5)).isEmpty();
        }
    }

    @Test
    void aWriteOfOneWorkerIsFoundByAnotherWorkerOnTheSameIndexDirectoryWithinSeconds() {
        String shared = directory.resolve("index").toString();
        try (LazyKnowledgeSource one =
                        new LazyKnowledgeSource(retrieval(WorkerProperties.StoreType.LUCENE, shared, 0));
                LazyKnowledgeSource two =
                        new LazyKnowledgeSource(retrieval(WorkerProperties.StoreType.LUCENE, shared, 0))) {
            assertThat(two.get().search("acme", "password reset", 5)).isEmpty(); // opened before the write

            one.get()
                    .ingest(Document.text(
                            "acme", "help", "Help", "To reset your password, click Forgot password in Settings."));

            long written = System.nanoTime();
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> !two.get().search("acme", "password reset", 5).isEmpty());
            System.out.printf(
                    "another worker's write was visible after %d ms (refresh interval 1 s)%n",
                    (System.nanoTime() - written) / 1_000_000);
        }
    }
}
