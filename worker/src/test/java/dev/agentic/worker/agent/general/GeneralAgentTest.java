package dev.agentic.worker.agent.general;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentic.loadtest.llmsim.LlmSimulator;
import dev.agentic.loadtest.llmsim.SimulatorConfig;
import dev.agentic.model.ChatOptions;
import dev.agentic.model.StreamEvent;
import dev.agentic.testsupport.FreePorts;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.RecordingSink;
import dev.agentic.worker.agent.llm.BlockingHttpClientBuilder;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GeneralAgentTest {
    private static final Duration LONG_STREAM_GAP = Duration.ofMillis(200);

    private final List<LlmSimulator> simulators = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(Duration.ofSeconds(5));
        }
        simulators.forEach(LlmSimulator::close);
    }

    private LlmSimulator simulator(Duration ttft, Duration interToken, int tokens, int maxConcurrency) {
        LlmSimulator simulator =
                LlmSimulator.start(new SimulatorConfig(0, ttft, interToken, tokens, maxConcurrency, null, "sim-model"));
        simulators.add(simulator);
        return simulator;
    }

    private static GeneralAgent agent(String baseUrl) {
        return agent(baseUrl, Duration.ofSeconds(10));
    }

    /** Built the way the worker's configuration builds it. */
    private static GeneralAgent agent(String baseUrl, Duration timeout) {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey("none")
                .modelName("sim-model")
                .maxTokens(512)
                .timeout(timeout)
                .httpClientBuilder(new BlockingHttpClientBuilder()
                        .connectTimeout(Duration.ofSeconds(2))
                        .readTimeout(timeout))
                .build();
        return new GeneralAgent(model, "You are a test.", timeout);
    }

    private static AgentRequest request(String query) {
        return new AgentRequest("00000000-0000-0000-0000-000000000000", "t", query, null);
    }

    /** Runs the agent on its own thread, as the worker does; the future holds its result or failure. */
    private CompletableFuture<AgentResult> runInBackground(GeneralAgent agent, RecordingSink sink) {
        CompletableFuture<AgentResult> outcome = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(agent.run(request("tell me a long story"), sink));
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        threads.add(thread);
        return outcome;
    }

    private static final ChatOptions.Tool WEATHER = new ChatOptions.Tool(
            "weather",
            "The weather in a city",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"description\":\"where\"},"
                    + "\"days\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[\"city\"],\"additionalProperties\":false}",
            null);

    private static ChatOptions toolChat(List<ChatOptions.Turn> turns, String toolChoice) {
        return new ChatOptions(turns, null, null, null, null, null, null, null, List.of(WEATHER), toolChoice, null);
    }

    @Test
    void passesTheClientsToolsOnAndRelaysTheModelsCallWhole() throws InterruptedException {
        LlmSimulator simulator = simulator(Duration.ZERO, Duration.ofMillis(1), 5, 4);
        RecordingSink sink = new RecordingSink();

        AgentResult result = agent(simulator.baseUrl())
                .run(
                        new AgentRequest(
                                "00000000-0000-0000-0000-000000000000",
                                "t",
                                "Paris this week",
                                null,
                                toolChat(List.of(new ChatOptions.Turn("user", "Paris this week")), "required")),
                        sink);

        assertThat(result.finishReason()).isEqualTo("tool_calls");
        // The simulator fills the arguments from the schema's properties: the schema reached it whole.
        assertThat(sink.calls())
                .containsExactly(
                        new RecordingSink.Call("tool_call", "weather", "{\"city\":\"Paris this week\",\"days\":3}"));
    }

    @Test
    void sendsTheCallAndTheToolsResultBackToTheModel() throws InterruptedException {
        LlmSimulator simulator = simulator(Duration.ZERO, Duration.ofMillis(1), 5, 4);
        RecordingSink sink = new RecordingSink();
        List<ChatOptions.Turn> turns = List.of(
                new ChatOptions.Turn("user", "Paris?"),
                new ChatOptions.Turn(
                        "assistant",
                        "",
                        List.of(new StreamEvent.ToolCall("call_7", "weather", "{\"city\":\"Paris\"}")),
                        null),
                new ChatOptions.Turn("tool", "sunny, 21 C", null, "call_7"));

        AgentResult result = agent(simulator.baseUrl())
                .run(
                        new AgentRequest(
                                "00000000-0000-0000-0000-000000000000", "t", "Paris?", null, toolChat(turns, "auto")),
                        sink);

        assertThat(result.finishReason()).isEqualTo("stop");
        assertThat(sink.text()).isEqualTo("tool said: sunny, 21 C ");
    }

    @Test
    void streamsTheSimulatorTokensInOrderAndReportsUsage() throws InterruptedException {
        LlmSimulator simulator = simulator(Duration.ZERO, Duration.ofMillis(1), 5, 4);
        RecordingSink sink = new RecordingSink();

        AgentResult result = agent(simulator.baseUrl()).run(request("hello there"), sink);

        assertThat(sink.tokens())
                .containsExactlyElementsOf(
                        IntStream.range(0, 5).mapToObj(i -> "sim" + i + " ").toList());
        assertThat(result.usage().tokensOut()).isEqualTo(5);
        assertThat(result.usage().tokensIn()).isPositive();
        assertThat(result.finishReason()).isEqualTo("stop");
        // The simulator counts the answer after writing its last chunk, which the agent may read first.
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> simulator.stats().completed() == 1);
    }

    @Test
    void reportsLengthWhenMaxTokensCutTheAnswer() throws InterruptedException {
        LlmSimulator simulator = simulator(Duration.ZERO, Duration.ZERO, 600, 4);
        RecordingSink sink = new RecordingSink();

        AgentResult result = agent(simulator.baseUrl()).run(request("hello"), sink);

        assertThat(sink.tokens()).hasSize(512);
        assertThat(result.finishReason()).isEqualTo("length");
    }

    @Test
    void failsRetryablyAsOverloadedWhenTheLlmIsAtCapacity() throws Exception {
        LlmSimulator simulator = simulator(Duration.ZERO, LONG_STREAM_GAP, 1000, 1);
        RecordingSink occupying = new RecordingSink();
        runInBackground(agent(simulator.baseUrl()), occupying);
        assertThat(occupying.firstToken().await(10, TimeUnit.SECONDS)).isTrue();

        RecordingSink refused = new RecordingSink();
        assertThatThrownBy(() -> agent(simulator.baseUrl()).run(request("me too"), refused))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo("llm_overloaded");
                    assertThat(e.retryable()).isTrue();
                });
        assertThat(refused.tokens()).isEmpty();
        assertThat(simulator.stats().rejected()).isEqualTo(1);
    }

    @Test
    void closesTheProviderStreamWhenItsThreadIsInterrupted() throws Exception {
        LlmSimulator simulator = simulator(Duration.ZERO, LONG_STREAM_GAP, 1000, 4);
        RecordingSink sink = new RecordingSink();
        CompletableFuture<AgentResult> outcome = runInBackground(agent(simulator.baseUrl()), sink);
        assertThat(sink.firstToken().await(10, TimeUnit.SECONDS)).isTrue();

        threads.getFirst().interrupt();

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(outcome).isCompletedExceptionally());
        assertThat(outcome.exceptionNow()).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(simulator.stats().cancelled()).isEqualTo(1));
        assertThat(simulator.stats().active()).isZero();
    }

    /**
     * Before the first token langchain4j hands out no handle to close the stream with; the worker's
     * client streams on the agent's thread, so the interrupt itself closes the connection.
     */
    @Test
    void closesTheProviderStreamAtItsFirstTokenWhenInterruptedBeforeIt() throws Exception {
        LlmSimulator simulator = simulator(Duration.ofSeconds(1), LONG_STREAM_GAP, 1000, 4);
        RecordingSink sink = new RecordingSink();
        CompletableFuture<AgentResult> outcome = runInBackground(agent(simulator.baseUrl()), sink);
        await().atMost(Duration.ofSeconds(5)).until(() -> simulator.stats().active() == 1);

        threads.getFirst().interrupt();

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(outcome).isCompletedExceptionally());
        assertThat(outcome.exceptionNow()).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(simulator.stats().cancelled()).isEqualTo(1));
        assertThat(sink.tokens()).isEmpty();
    }

    @Test
    void stopsEarlyWhenTheRequestIsClosedElsewhere() throws Exception {
        LlmSimulator simulator = simulator(Duration.ZERO, LONG_STREAM_GAP, 1000, 4);
        RecordingSink sink = new RecordingSink();
        CompletableFuture<AgentResult> outcome = runInBackground(agent(simulator.baseUrl()), sink);
        assertThat(sink.firstToken().await(10, TimeUnit.SECONDS)).isTrue();

        sink.close();

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(outcome).isCompletedExceptionally());
        assertThat(outcome.exceptionNow())
                .isInstanceOfSatisfying(
                        AgentException.class, e -> assertThat(e.code()).isEqualTo("cancelled"));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(simulator.stats().cancelled()).isEqualTo(1));
    }

    @Test
    void failsRetryablyAsTimeoutWhenTheLlmFallsSilentMidStream() throws Exception {
        // The simulator notices a closed stream at its next write, 2 s later; unclosed, it would
        // complete after 4 s.
        LlmSimulator simulator = simulator(Duration.ZERO, Duration.ofSeconds(2), 3, 4);
        RecordingSink sink = new RecordingSink();
        CompletableFuture<AgentResult> outcome =
                runInBackground(agent(simulator.baseUrl(), Duration.ofMillis(500)), sink);

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(outcome).isCompletedExceptionally());
        assertThat(outcome.exceptionNow()).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.code()).isEqualTo("llm_timeout");
            assertThat(e.retryable()).isTrue();
        });
        assertThat(sink.tokens()).containsExactly("sim0 ");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(simulator.stats().cancelled()).isEqualTo(1));
        assertThat(simulator.stats().completed()).isZero();
    }

    @Test
    void failsRetryablyAsTimeoutWhenTheFirstTokenTakesTooLong() throws Exception {
        LlmSimulator simulator = simulator(Duration.ofSeconds(20), Duration.ZERO, 3, 4);
        RecordingSink sink = new RecordingSink();
        CompletableFuture<AgentResult> outcome =
                runInBackground(agent(simulator.baseUrl(), Duration.ofMillis(500)), sink);

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(outcome).isCompletedExceptionally());
        assertThat(outcome.exceptionNow()).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.code()).isEqualTo("llm_timeout");
            assertThat(e.retryable()).isTrue();
        });
        assertThat(sink.tokens()).isEmpty();
    }

    @Test
    void failsRetryablyAsUnavailableWhenTheLlmCannotBeReached() {
        String unreachable = "http://127.0.0.1:" + FreePorts.next() + "/v1";

        assertThatThrownBy(() -> agent(unreachable).run(request("hello"), new RecordingSink()))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo("llm_unavailable");
                    assertThat(e.retryable()).isTrue();
                });
    }
}
