package dev.agentic.worker.agent.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.IngestDocument;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import dev.agentic.retrieval.chunk.Chunker;
import dev.agentic.retrieval.chunk.ChunkingOptions;
import dev.agentic.retrieval.embed.Embedder;
import dev.agentic.retrieval.knowledge.KnowledgeBase;
import dev.agentic.retrieval.store.LuceneStoreSettings;
import dev.agentic.retrieval.store.VectorStore;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.worker.RedisProbe;
import dev.agentic.worker.TestWorker;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.config.RedisKnowledgeVersions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancel or a deadline stops the ingestion itself, not only the job's wait for it: the thread
 * that chunks and embeds the document ends within a second, whether it was chunking a hostile
 * document or embedding its chunks, and nothing is stored. Real Redis, the real worker path, a
 * Lucene index; the embedder is a slow stand-in (100 ms a batch, about 4 s for the document) so the ingestion outlasts the stop.
 */
class IngestStopTest {
    private static final Duration STOP_WITHIN = Duration.ofSeconds(1);
    /** Heading lines the former regular expression took seconds each to reject, then 450 KB of prose. */
    private static final String HOSTILE = ("#" + " ".repeat(3_000) + "\r\n").repeat(100)
            + "A sentence that says something about the handbook. ".repeat(9_000);

    private static RedisServer redisServer;
    private static RedisProbe probe;

    @TempDir
    Path index;

    private VectorStore store;
    private TestWorker worker;
    private final AtomicReference<Thread> ingesting = new AtomicReference<>();
    private final SlowEmbedder embedder = new SlowEmbedder();

    @BeforeAll
    static void startRedis() {
        redisServer = RedisServer.start();
        probe = new RedisProbe(redisServer.uri());
    }

    @AfterAll
    static void stopRedis() {
        if (probe != null) {
            probe.close();
        }
        if (redisServer != null) {
            redisServer.close();
        }
    }

    @BeforeEach
    void startWorker() {
        probe.flushAll();
        store = VectorStore.lucene(LuceneStoreSettings.of(index, SlowEmbedder.DIMENSION));
        KnowledgeBase knowledge = KnowledgeBase.create(Chunker.create(ChunkingOptions.defaults()), embedder, store);
        KnowledgeSource source = () -> {
            ingesting.set(Thread.currentThread()); // the thread the knowledge base works on
            return knowledge;
        };
        worker = TestWorker.start(
                redisServer.uri(),
                "stop",
                connection -> List.<Agent>of(new IngestAgent(source, new RedisKnowledgeVersions(connection))));
    }

    @AfterEach
    void stopWorker() {
        worker.close();
        store.close();
    }

    @Test
    void aCancelStopsTheIngestionOfAHostileDocumentWithinASecond() throws InterruptedException {
        Job job = probe.submit(job(Duration.ofMinutes(1)));
        await().atMost(Duration.ofSeconds(15)).until(() -> ingesting.get() != null);

        probe.finish(job, new StreamEvent.Error("cancelled", "Cancelled by the client", false));

        assertStoppedWithin(STOP_WITHIN);
        assertThat(RedisProbe.error(probe.awaitTerminal(job)).code()).isEqualTo("cancelled");
        assertNothingStored();
    }

    @Test
    void theDeadlineStopsTheIngestionOfAHostileDocumentWithinASecond() throws InterruptedException {
        Job job = probe.submit(job(Duration.ofSeconds(2)));

        List<LoggedEvent> log = probe.awaitTerminal(job);

        assertThat(RedisProbe.error(log).code()).isEqualTo("deadline_exceeded");
        assertStoppedWithin(STOP_WITHIN);
        assertNothingStored();
    }

    private void assertStoppedWithin(Duration limit) throws InterruptedException {
        Thread thread = ingesting.get();
        assertThat(thread).isNotNull();
        assertThat(thread.join(limit))
                .as("the ingesting thread ended within %s of the stop", limit)
                .isTrue();
    }

    private void assertNothingStored() {
        assertThat(store.search("acme", embedder.embed("handbook"), 10)).isEmpty();
        assertThat(probe.redis().get(RedisKeys.knowledgeVersion("acme"))).isNull();
        assertThat(embedder.batches.get()).as("batches embedded").isLessThan(9_000 * 52 / 800 / 16);
    }

    private static Job job(Duration deadline) {
        String payload =
                WireCodec.encodeIngest(new IngestDocument("handbook", "Handbook", HOSTILE, "markdown", Map.of()));
        long now = System.currentTimeMillis();
        return new Job(
                1,
                RequestId.newId(),
                "acme",
                IngestDocument.AGENT,
                payload,
                null,
                Lane.BATCH,
                now,
                now + deadline.toMillis(),
                null);
    }

    /** Unit vectors along the first axis, 100 ms a batch: an embedder as slow as a busy model. */
    private static final class SlowEmbedder implements Embedder {
        static final int DIMENSION = 8;
        final AtomicInteger batches = new AtomicInteger();

        @Override
        public int dimension() {
            return DIMENSION;
        }

        @Override
        public float[] embed(String text) {
            float[] vector = new float[DIMENSION];
            vector[0] = 1;
            return vector;
        }

        @Override
        public List<float[]> embedAll(List<String> texts) {
            batches.incrementAndGet();
            try {
                Thread.sleep(100); // the cost of a batch, not a wait for anything
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return texts.stream().map(this::embed).toList();
        }
    }
}
