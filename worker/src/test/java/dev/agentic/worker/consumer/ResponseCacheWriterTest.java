package dev.agentic.worker.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.CachedAnswer;
import dev.agentic.model.ChatOptions;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.worker.agent.AgentRegistry;
import dev.agentic.worker.agent.diagnostic.DiagnosticAgent;
import dev.agentic.worker.agent.math.MathAgent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a worker stores in the response cache after an answer, against a real redis-server. */
class ResponseCacheWriterTest {
    private static RedisServer server;
    private static RedisConnector connector;
    private static RedisLink connection;
    private static JobRunner runner;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        connector = new RedisConnector(new RedisSettings(server.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2)));
        connection = connector.connect();
        EventLog events = new EventLog(connection.sync(), Duration.ofHours(1), Duration.ofHours(2), Clock.systemUTC());
        runner = new JobRunner(
                events,
                new AgentRegistry(List.of(new MathAgent(), new DiagnosticAgent())),
                new CancelWatcher(connector),
                "w1",
                Duration.ofSeconds(2),
                Clock.systemUTC(),
                new SimpleMeterRegistry(),
                JobRunner.Services.NONE.withCache(ResponseCacheWriter.create(
                        connection, Set.of("math", "diagnostic"), Duration.ofMinutes(5), Clock.systemUTC())));
    }

    @AfterAll
    static void stop() {
        runner.close();
        connection.close();
        connector.close();
        server.close();
    }

    private static Job job(String agent, String query, @Nullable String session) {
        long now = System.currentTimeMillis();
        return new Job(1, RequestId.newId(), "acme", agent, query, session, Lane.INTERACTIVE, now, now + 30_000, null);
    }

    private static Job withChat(Job job, ChatOptions chat) {
        return new Job(
                job.v(),
                job.id(),
                job.tenant(),
                job.agent(),
                job.query(),
                job.sessionId(),
                job.lane(),
                job.createdAtMs(),
                job.deadlineMs(),
                job.traceparent(),
                chat);
    }

    private void runOnce(Job job) {
        runner.run(job, runner.begin(job, 1));
    }

    private static @Nullable String cached(String agent, String query) {
        return connection.sync().get(RedisKeys.responseCache("acme", CachedAnswer.digest(agent, 0, query)));
    }

    @Test
    void aFinishedAnswerIsStoredWithItsEventsAndATtl() {
        Job job = job("math", "What is 6*7?", null);
        assertThat(runner.run(job, runner.begin(job, 1)).requestHasEnded()).isTrue();

        String stored = cached("math", "what is 6*7?");
        assertThat(stored).isNotNull();
        CachedAnswer answer = WireCodec.decodeCachedAnswer(stored);
        assertThat(answer.sourceRequestId()).isEqualTo(job.id());
        assertThat(answer.answer()).contains("42");
        assertThat(answer.events()).extracting(CachedAnswer.Event::type).doesNotContain("queued", "start", "done");
        assertThat(answer.events()).extracting(CachedAnswer.Event::type).contains("token");
        long ttl = connection.sync().pttl(RedisKeys.responseCache("acme", CachedAnswer.digest("math", 0, job.query())));
        assertThat(ttl).isBetween(1L, Duration.ofMinutes(5).toMillis());
    }

    @Test
    void failuresSessionsAndOtherAgentsAreNotStored() {
        runOnce(job("math", "1/0 +", null)); // unparseable: error
        runOnce(job("math", "What is 5*5?", "conversation-1"));
        runOnce(job("diagnostic", "fail", null));
        assertThat(cached("math", "1/0 +")).isNull();
        assertThat(cached("math", "What is 5*5?")).isNull();
        assertThat(cached("diagnostic", "fail")).isNull();
    }

    @Test
    void anAnswerToSamplingParametersIsNotFiledUnderThePlainQuery() {
        ResponseCacheWriter writer =
                ResponseCacheWriter.create(connection, Set.of("math"), Duration.ofMinutes(5), Clock.systemUTC());
        Job plain = job("math", "q", null);
        List<ChatOptions.Turn> turns = List.of(new ChatOptions.Turn("user", "q"));
        Job sampled = withChat(plain, chat(turns, 1.5, null));
        Job turnsOnly = withChat(plain, chat(turns, null, null));
        Job withTools = withChat(plain, chat(turns, null, List.of(new ChatOptions.Tool("clock", null, null, null))));
        Job withToolResult = withChat(
                plain,
                chat(
                        List.of(
                                new ChatOptions.Turn(
                                        "assistant", "", List.of(new StreamEvent.ToolCall("c", "clock", "{}")), null),
                                new ChatOptions.Turn("tool", "noon", null, "c")),
                        null,
                        null));
        assertThat(writer.keyFor(plain)).isNotNull();
        assertThat(writer.keyFor(sampled)).isNull();
        assertThat(writer.keyFor(withTools)).isNull();
        assertThat(writer.keyFor(withToolResult)).isNull();
        assertThat(writer.keyFor(turnsOnly)).isEqualTo(writer.keyFor(plain));
    }

    /** Chat options with only the turns, a temperature and tools set. */
    private static ChatOptions chat(
            List<ChatOptions.Turn> turns, @Nullable Double temperature, @Nullable List<ChatOptions.Tool> tools) {
        return new ChatOptions(turns, temperature, null, null, null, null, null, null, tools, null, null);
    }

    @Test
    void aRagAnswerIsFiledUnderTheKnowledgeVersionItWasComputedFrom() {
        ResponseCacheWriter writer =
                ResponseCacheWriter.create(connection, Set.of("rag"), Duration.ofMinutes(5), Clock.systemUTC());
        connection.sync().set(RedisKeys.knowledgeVersion("acme"), "7");
        assertThat(writer.keyFor(job("rag", "q", null)))
                .isEqualTo(RedisKeys.responseCache("acme", CachedAnswer.digest("rag", 7, "q")));
        assertThat(writer.keyFor(job("math", "q", null))).isNull();
    }
}
