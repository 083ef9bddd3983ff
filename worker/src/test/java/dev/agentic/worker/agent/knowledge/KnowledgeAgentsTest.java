package dev.agentic.worker.agent.knowledge;

import static dev.agentic.worker.RedisProbe.terminal;
import static dev.agentic.worker.RedisProbe.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.IngestDocument;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import dev.agentic.retrieval.Limits;
import dev.agentic.retrieval.chunk.Chunker;
import dev.agentic.retrieval.chunk.ChunkingOptions;
import dev.agentic.retrieval.embed.Embedder;
import dev.agentic.retrieval.knowledge.KnowledgeBase;
import dev.agentic.retrieval.store.LuceneStoreSettings;
import dev.agentic.retrieval.store.QdrantSettings;
import dev.agentic.retrieval.store.VectorStore;
import dev.agentic.testsupport.FreePorts;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.worker.RecordingLlm;
import dev.agentic.worker.RedisProbe;
import dev.agentic.worker.TestWorker;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.llm.LlmStream;
import dev.agentic.worker.agent.math.MathAgent;
import dev.agentic.worker.config.RedisKnowledgeVersions;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ingest} and {@code rag} agents through the real worker path: jobs on real Redis
 * streams, the consumer loop, the event log; all-MiniLM-L6-v2 in-process and a Lucene index in a
 * temporary directory (or a Qdrant port nobody listens on).
 */
class KnowledgeAgentsTest {
    private static final String HANDBOOK = """
            # Acme handbook

            ## Accounts
            To reset your password, open Settings, choose Security and click "Forgot password".
            A reset link arrives by email and stays valid for one hour.

            ## Billing
            Invoices are issued on the first day of each month. You can download them as PDF
            from the Billing page, and change the card that is charged there too.

            ## Deployment
            The service ships as a container image. Run it with Docker Compose and scale the
            workers with the --scale flag.
            """;

    private static RedisServer redisServer;
    private static RedisProbe probe;
    private static Embedder embedder;

    @TempDir
    Path index;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private VectorStore store;

    @BeforeAll
    static void startRedisAndLoadModel() {
        redisServer = RedisServer.start();
        probe = new RedisProbe(redisServer.uri());
        embedder = Embedder.allMiniLmL6V2();
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
    void emptyRedisAndOpenIndex() {
        probe.flushAll();
        store = VectorStore.lucene(LuceneStoreSettings.of(index, embedder.dimension()));
        resources.add(store);
    }

    @AfterEach
    void stopWorkers() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private KnowledgeBase knowledge(VectorStore vectors) {
        return KnowledgeBase.create(Chunker.create(ChunkingOptions.defaults()), embedder, vectors);
    }

    /** A worker running ingest, rag (over {@code vectors}) and math, as the configuration wires them. */
    private TestWorker worker(VectorStore vectors, double minScore, @Nullable LlmStream llm) {
        KnowledgeBase knowledge = knowledge(vectors);
        TestWorker worker = TestWorker.start(
                redisServer.uri(),
                "kw",
                connection -> List.<Agent>of(
                        new IngestAgent(() -> knowledge, new RedisKnowledgeVersions(connection)),
                        new RagAgent(() -> knowledge, 5, minScore, llm),
                        new MathAgent()));
        resources.add(worker);
        return worker;
    }

    private TestWorker worker() {
        return worker(store, 0.25, null);
    }

    private static Job job(String tenant, String agent, String query, Lane lane) {
        long now = System.currentTimeMillis();
        return new Job(1, RequestId.newId(), tenant, agent, query, null, lane, now, now + 60_000, null);
    }

    private static List<LoggedEvent> ingest(String tenant, String id, String text) {
        String payload = WireCodec.encodeIngest(new IngestDocument(id, "Acme handbook", text, "markdown", Map.of()));
        return probe.awaitTerminal(probe.submit(job(tenant, IngestDocument.AGENT, payload, Lane.BATCH)));
    }

    private static List<LoggedEvent> ask(String tenant, String question) {
        return probe.awaitTerminal(probe.submit(job(tenant, RagAgent.NAME, question, Lane.INTERACTIVE)));
    }

    private static List<StreamEvent> events(List<LoggedEvent> log, String type) {
        return log.stream()
                .filter(e -> e.type().equals(type))
                .map(RedisProbe::decode)
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> citations(List<LoggedEvent> log) {
        return events(log, "metadata").stream()
                .map(e -> ((StreamEvent.Metadata) e).values())
                .filter(values -> values.containsKey("citations"))
                .map(values -> (List<Map<String, Object>>) values.get("citations"))
                .findFirst()
                .orElseThrow();
    }

    private static String answer(List<LoggedEvent> log) {
        return String.join("", tokens(log));
    }

    @Test
    void ingestsADocumentWithProgressAndBumpsTheTenantsKnowledgeVersion() {
        worker();

        List<LoggedEvent> log = ingest("acme", "handbook", HANDBOOK);

        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(events(log, "tool_start")).containsExactly(new StreamEvent.ToolStart("ingest", "handbook"));
        assertThat(events(log, "tool_end")).containsExactly(new StreamEvent.ToolEnd("ingest", "3 chunks"));
        assertThat(events(log, "metadata"))
                .containsExactly(
                        new StreamEvent.Metadata(Map.of("progress", Map.of("chunks_done", 3, "chunks_total", 3))),
                        new StreamEvent.Metadata(Map.of("document_id", "handbook", "chunks", 3)));
        assertThat(answer(log)).isEqualTo("Ingested handbook: 3 chunks.");
        assertThat(log)
                .extracting(LoggedEvent::type)
                .containsSubsequence("tool_start", "metadata", "tool_end", "token");
        assertThat(probe.redis().get(RedisKeys.knowledgeVersion("acme"))).isEqualTo("1");
        probe.awaitDrained();
    }

    @Test
    void answersFromTheIngestedDocumentWithCitationsAndMarkedPassages() {
        worker();
        ingest("acme", "handbook", HANDBOOK);

        List<LoggedEvent> log = ask("acme", "How do I reset my password?");

        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(log)
                .extracting(LoggedEvent::type)
                .containsSubsequence("start", "tool_start", "tool_end", "metadata", "token", "done");
        assertThat(events(log, "tool_start"))
                .containsExactly(new StreamEvent.ToolStart("retrieval", "How do I reset my password?"));
        String hits = ((StreamEvent.ToolEnd) events(log, "tool_end").getFirst()).output();
        assertThat(hits).startsWith("{\"hits\":[{").contains("\"document_id\":\"handbook\"", "\"chunk\":0");
        List<Map<String, Object>> citations = citations(log);
        assertThat(citations.getFirst())
                .containsEntry("n", 1)
                .containsEntry("document_id", "handbook")
                .containsEntry("chunk", 0)
                .containsEntry("title", "Acme handbook")
                .containsEntry("section", "Acme handbook > Accounts")
                .containsKey("score");
        String answer = answer(log);
        assertThat(answer)
                .startsWith("From the knowledge base:\n\n[1] To reset your password")
                .contains("\nSources:\n[1] handbook (Acme handbook), chunk 0, section \"Acme handbook > Accounts\"");
        for (int n = 1; n <= citations.size(); n++) {
            assertThat(answer).contains("[" + n + "] ");
        }
        probe.awaitDrained();
        probe.assertEveryRequestEndedOnce();
    }

    @Test
    void reIngestingADocumentReplacesItsChunks() {
        worker();
        ingest("acme", "handbook", HANDBOOK);

        List<LoggedEvent> again = ingest("acme", "handbook", "Passwords can no longer be reset; call the help desk.");

        assertThat(answer(again)).isEqualTo("Ingested handbook: 1 chunks.");
        List<Map<String, Object>> citations = citations(ask("acme", "How do I reset my password?"));
        assertThat(citations).singleElement().satisfies(c -> assertThat(c).containsEntry("chunk", 0));
        assertThat(answer(ask("acme", "How do I reset my password?")))
                .contains("call the help desk")
                .doesNotContain("Forgot password");
        assertThat(probe.redis().get(RedisKeys.knowledgeVersion("acme"))).isEqualTo("2");
    }

    @Test
    void neverAnswersATenantFromAnotherTenantsDocuments() {
        worker();
        ingest("acme", "handbook", HANDBOOK);

        List<LoggedEvent> log = ask("globex", "How do I reset my password?");

        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(citations(log)).isEmpty();
        assertThat(answer(log)).isEqualTo(RagAgent.NOTHING_FOUND);
        assertThat(probe.redis().get(RedisKeys.knowledgeVersion("globex"))).isNull();
    }

    @Test
    void saysItFoundNothingWhenTheKnowledgeBaseIsEmpty() {
        worker();

        List<LoggedEvent> log = ask("acme", "How do I reset my password?");

        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(events(log, "tool_end")).containsExactly(new StreamEvent.ToolEnd("retrieval", "{\"hits\":[]}"));
        assertThat(answer(log)).isEqualTo("I found nothing in the knowledge base about that.");
    }

    @Test
    void saysItFoundNothingWhenNoPassageReachesTheMinimumScore() {
        worker(store, 0.99, null);
        ingest("acme", "handbook", HANDBOOK);

        List<LoggedEvent> log = ask("acme", "How do I reset my password?");

        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(citations(log)).isEmpty();
        assertThat(answer(log)).isEqualTo(RagAgent.NOTHING_FOUND);
    }

    @Test
    void refusesMalformedIngestionPayloadsAndKeepsServing() {
        TestWorker worker = worker();

        List<LoggedEvent> notJson = probe.awaitTerminal(probe.submit(job("acme", "ingest", "{not json", Lane.BATCH)));
        List<LoggedEvent> badType = probe.awaitTerminal(probe.submit(
                job("acme", "ingest", "{\"document_id\":\"d\",\"text\":\"x\",\"content_type\":\"pdf\"}", Lane.BATCH)));
        List<LoggedEvent> badId = probe.awaitTerminal(probe.submit(
                job("acme", "ingest", "{\"document_id\":\" \",\"text\":\"x\",\"content_type\":\"text\"}", Lane.BATCH)));

        for (List<LoggedEvent> log : List.of(notJson, badType, badId)) {
            StreamEvent.Error error = RedisProbe.error(log);
            assertThat(error.code()).isEqualTo("invalid_document");
            assertThat(error.retryable()).isFalse();
            assertThat(log).extracting(LoggedEvent::type).doesNotContain("tool_start");
        }
        assertThat(RedisProbe.error(badId).message()).startsWith("The document is not valid: ");
        assertThat(probe.redis().get(RedisKeys.knowledgeVersion("acme"))).isNull();
        assertThat(terminal(probe.awaitTerminal(probe.submit(job("acme", "math", "2+2", Lane.INTERACTIVE)))))
                .isInstanceOf(StreamEvent.Done.class);
        assertThat(worker.isRunning()).isTrue();
        probe.awaitDrained();
    }

    @Test
    void refusesADocumentOfMoreChunksThanTheLimitAsInvalid() {
        worker();

        List<LoggedEvent> log =
                ingest("acme", "sections", "# Heading\nbody\n".repeat(Limits.MAX_CHUNKS_PER_DOCUMENT + 1));

        StreamEvent.Error error = RedisProbe.error(log);
        assertThat(error.code()).isEqualTo("invalid_document");
        assertThat(error.retryable()).isFalse();
        assertThat(error.message())
                .isEqualTo("The document is not valid: document sections splits into more than 20000 chunks;"
                        + " send it in parts");
        assertThat(events(log, "metadata")).isEmpty();
        assertThat(probe.redis().get(RedisKeys.knowledgeVersion("acme"))).isNull();
    }

    @Test
    void failsRetryablyWhileQdrantIsUnreachableAndServesTheNextJob() {
        VectorStore qdrant = VectorStore.qdrant(QdrantSettings.of("127.0.0.1", embedder.dimension())
                .withEndpoint("127.0.0.1", FreePorts.next(), false)
                .withTimeout(Duration.ofSeconds(2)));
        resources.add(qdrant);
        TestWorker worker = worker(qdrant, 0.25, null);

        List<LoggedEvent> rag = ask("acme", "How do I reset my password?");
        List<LoggedEvent> ingestion = ingest("acme", "handbook", HANDBOOK);

        for (List<LoggedEvent> log : List.of(rag, ingestion)) {
            StreamEvent.Error error = RedisProbe.error(log);
            assertThat(error.code()).isEqualTo("retrieval_unavailable");
            assertThat(error.retryable()).isTrue();
            assertThat(error.message()).doesNotContain("127.0.0.1").doesNotContainIgnoringCase("qdrant");
        }
        assertThat(probe.redis().get(RedisKeys.knowledgeVersion("acme"))).isNull();
        List<LoggedEvent> next = probe.awaitTerminal(probe.submit(job("acme", "math", "6*7", Lane.INTERACTIVE)));
        assertThat(terminal(next)).isInstanceOf(StreamEvent.Done.class);
        assertThat(answer(next)).contains("42");
        assertThat(worker.isRunning()).isTrue();
        probe.awaitDrained();
        probe.assertEveryRequestEndedOnce();
    }

    @Test
    void groundsAnLlmAnswerInTheNumberedPassagesAndAppendsTheSources() {
        try (RecordingLlm llm = RecordingLlm.start()) {
            OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                    .baseUrl(llm.baseUrl())
                    .apiKey("none")
                    .modelName("m")
                    .build();
            worker(store, 0.25, new LlmStream(model, Duration.ofSeconds(10)));
            ingest("acme", "handbook", HANDBOOK);

            List<LoggedEvent> log = ask("acme", "How do I reset my password?");

            assertThat(terminal(log))
                    .isInstanceOfSatisfying(
                            StreamEvent.Done.class,
                            done -> assertThat(done.usage().tokensOut()).isEqualTo(3));
            // The first token comes on its own; later ones may be merged within the coalescing window.
            assertThat(tokens(log).getFirst()).isEqualTo(RecordingLlm.TOKENS.getFirst());
            assertThat(String.join("", tokens(log))).startsWith(String.join("", RecordingLlm.TOKENS));
            assertThat(answer(log)).startsWith("answer one [1] \n\nSources:\n[1] handbook (Acme handbook), chunk 0");
            List<String> messages = llm.lastMessages();
            assertThat(messages).hasSize(2);
            assertThat(messages.get(0)).startsWith("system: ").contains("only the numbered passages", "[1]");
            assertThat(messages.get(1))
                    .startsWith("user: Passages:\n\n[1] (handbook (Acme handbook), chunk 0, section")
                    .contains("To reset your password")
                    .endsWith("Question: How do I reset my password?");
            assertThat(citations(log)).isNotEmpty();
        }
    }
}
