package dev.agentic.worker;

import static dev.agentic.worker.RedisProbe.terminal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.IngestDocument;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import dev.agentic.testsupport.FreePorts;
import dev.agentic.testsupport.RedisServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A whole worker (Spring context) configured for a Qdrant that nobody runs: it starts, serves other
 * agents, and ends knowledge jobs with a retryable {@code retrieval_unavailable}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WorkerWithoutQdrantTest {
    private static RedisServer redisServer;
    private static RedisProbe probe;

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

    @DynamicPropertySource
    static void workerProperties(DynamicPropertyRegistry registry) {
        registry.add("agentic.redis.uri", () -> redisServer.uri());
        registry.add("agentic.worker.name", () -> "no-qdrant");
        registry.add("agentic.worker.poll-timeout", () -> "500ms");
        registry.add("agentic.worker.shutdown-grace", () -> "2s");
        registry.add("agentic.retrieval.store.type", () -> "qdrant");
        registry.add("agentic.retrieval.store.qdrant.port", () -> String.valueOf(FreePorts.next()));
        registry.add("agentic.retrieval.store.qdrant.timeout", () -> "2s");
        registry.add("agentic.retrieval.rag.answer", () -> "llm");
    }

    private static Job job(String agent, String query, Lane lane) {
        long now = System.currentTimeMillis();
        return new Job(1, RequestId.newId(), "acme", agent, query, null, lane, now, now + 60_000, null);
    }

    @Test
    void startsAndServesOtherAgentsWhileKnowledgeJobsFailRetryably() {
        String document = WireCodec.encodeIngest(new IngestDocument("d", "", "Some text.", "text", Map.of()));

        StreamEvent.Error rag =
                RedisProbe.error(probe.awaitTerminal(probe.submit(job("rag", "What is in d?", Lane.INTERACTIVE))));
        StreamEvent.Error ingest =
                RedisProbe.error(probe.awaitTerminal(probe.submit(job("ingest", document, Lane.BATCH))));
        StreamEvent math = terminal(probe.awaitTerminal(probe.submit(job("math", "2+2", Lane.INTERACTIVE))));

        assertThat(rag.code()).isEqualTo("retrieval_unavailable");
        assertThat(rag.retryable()).isTrue();
        assertThat(ingest.code()).isEqualTo("retrieval_unavailable");
        assertThat(ingest.retryable()).isTrue();
        assertThat(math).isInstanceOf(StreamEvent.Done.class);
        probe.awaitDrained();
        probe.assertEveryRequestEndedOnce();
    }
}
