package dev.agentic.worker.agent.general;

import static dev.agentic.worker.RedisProbe.terminal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.worker.RecordingLlm;
import dev.agentic.worker.RedisProbe;
import dev.agentic.worker.TestWorker;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.llm.LlmStream;
import dev.agentic.worker.config.RedisConversationMemory;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The general agent's session history through the real worker path: real Redis, the consumer loop,
 * and an OpenAI-compatible endpoint that records what it is sent.
 */
class ConversationMemoryTest {
    private static final String ANSWER = String.join("", RecordingLlm.TOKENS);
    private static final Duration TTL = Duration.ofHours(24);

    private static RedisServer redisServer;
    private static RedisProbe probe;

    private RecordingLlm llm;
    private TestWorker worker;

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
        llm = RecordingLlm.start();
        worker = startWorker(3);
    }

    private TestWorker startWorker(int maxTurns) {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .baseUrl(llm.baseUrl())
                .apiKey("none")
                .modelName("m")
                .build();
        return TestWorker.start(
                redisServer.uri(),
                "mw",
                connection -> List.<Agent>of(new GeneralAgent(
                        new LlmStream(model, Duration.ofSeconds(10)),
                        "You are a test.",
                        new RedisConversationMemory(connection, maxTurns, TTL))));
    }

    @AfterEach
    void stop() {
        worker.close();
        llm.close();
    }

    private static List<LoggedEvent> ask(String tenant, @Nullable String session, String question) {
        long now = System.currentTimeMillis();
        Job job = new Job(
                1, RequestId.newId(), tenant, "general", question, session, Lane.INTERACTIVE, now, now + 60_000, null);
        return probe.awaitTerminal(probe.submit(job));
    }

    private static Set<String> sessionKeys() {
        return Set.copyOf(probe.redis().keys("agentic:session:*"));
    }

    @Test
    void sendsTheSessionsEarlierTurnsBeforeTheNewQuestion() {
        ask("acme", "s-1", "My name is Ada.");

        List<LoggedEvent> second = ask("acme", "s-1", "What is my name?");

        assertThat(terminal(second)).isInstanceOf(StreamEvent.Done.class);
        assertThat(llm.lastMessages())
                .containsExactly(
                        "system: You are a test.",
                        "user: My name is Ada.",
                        "assistant: " + ANSWER,
                        "user: What is my name?");
    }

    @Test
    void keepsSessionsOfOtherTenantsAndOtherIdsApart() {
        ask("acme", "s-1", "My name is Ada.");

        ask("globex", "s-1", "What is my name?");
        assertThat(llm.lastMessages()).containsExactly("system: You are a test.", "user: What is my name?");
        ask("acme", "s-2", "What is my name?");
        assertThat(llm.lastMessages()).containsExactly("system: You are a test.", "user: What is my name?");
        ask("acme", null, "What is my name?");
        assertThat(llm.lastMessages()).containsExactly("system: You are a test.", "user: What is my name?");

        assertThat(sessionKeys())
                .hasSize(3)
                .allSatisfy(key -> assertThat(key).matches("agentic:session:(acme|globex):[0-9a-f]{64}"))
                .noneMatch(key -> key.contains("s-1") || key.contains("s-2"));
    }

    @Test
    void setsTheTtlOnEveryWriteAndKeepsOnlyTheLastTurns() {
        ask("acme", "s-1", "one");
        String key = sessionKeys().iterator().next();
        long ttl = probe.redis().pttl(key);
        assertThat(ttl).isBetween(TTL.toMillis() - 60_000, TTL.toMillis());

        probe.redis().pexpire(key, 60_000);
        ask("acme", "s-1", "two");
        assertThat(probe.redis().pttl(key)).isGreaterThan(TTL.toMillis() - 60_000);

        ask("acme", "s-1", "three");
        ask("acme", "s-1", "four"); // max 3 turns: "one" is dropped
        assertThat(probe.redis().llen(key)).isEqualTo(6);
        ask("acme", "s-1", "five");
        assertThat(llm.lastMessages())
                .containsExactly(
                        "system: You are a test.",
                        "user: two",
                        "assistant: " + ANSWER,
                        "user: three",
                        "assistant: " + ANSWER,
                        "user: four",
                        "assistant: " + ANSWER,
                        "user: five");
    }

    @Test
    void remembersNothingOfAnAnswerThatFailed() {
        List<LoggedEvent> failed = ask("acme", "s-1", "My name is Ada, " + RecordingLlm.FAIL);
        assertThat(RedisProbe.error(failed).code()).startsWith("llm_"); // HTTP 500 from the provider
        assertThat(sessionKeys()).isEmpty();

        ask("acme", "s-1", "What is my name?");

        assertThat(llm.lastMessages()).containsExactly("system: You are a test.", "user: What is my name?");
    }

    @Test
    void remembersNothingOfAnAnswerThatWasCancelled() {
        List<String> remembered = new java.util.concurrent.CopyOnWriteArrayList<>();
        ConversationMemory recording = new ConversationMemory() {
            @Override
            public List<Message> history(String tenant, String sessionId) {
                return List.of();
            }

            @Override
            public void remember(String tenant, String sessionId, Message question, Message answer) {
                remembered.add(question.content());
            }
        };
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .baseUrl(llm.baseUrl())
                .apiKey("none")
                .modelName("m")
                .build();
        GeneralAgent agent = new GeneralAgent(new LlmStream(model, Duration.ofSeconds(10)), "test", recording);
        dev.agentic.worker.agent.RecordingSink cancelled = new dev.agentic.worker.agent.RecordingSink();
        cancelled.close(); // the request was cancelled before the first token arrived

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> agent.run(
                        new dev.agentic.worker.agent.AgentRequest(RequestId.newId(), "acme", "hello", "s-1"),
                        cancelled))
                .isInstanceOfSatisfying(
                        dev.agentic.worker.agent.AgentException.class,
                        e -> assertThat(e.code()).isEqualTo("cancelled"));
        assertThat(remembered).isEmpty();
    }
}
