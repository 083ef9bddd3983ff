package dev.agentic.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The OpenAI-compatible API through Nginx, two ingresses and two workers with the LLM simulator,
 * read by clients nobody here wrote: the official Java SDK ({@code com.openai:openai-java}),
 * LangChain4j's {@code OpenAiStreamingChatModel} and the official {@code openai} npm package. Errors
 * are read through the clients' own exception types; each client runs a tools round trip against the
 * simulator (it calls the tool offered, then repeats the tool's result).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OpenAiClientsIT {
    private Stack stack;
    private OpenAIClient sdk;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start() {
        stack = new Stack(2, 2, 4, List.of("--agentic.ingress.disconnect-grace=1s"));
        sdk = client(Stack.ADMIN_KEY);
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(stack.url("/v1"))
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    private static ChatCompletionCreateParams.Builder ask(String model, String question) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(question);
    }

    @Test
    void javaSdkGetsAWholeAnswerWithItsUsage() {
        ChatCompletion completion =
                sdk.chat().completions().create(ask("math", "What is 2+2?").build());

        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content())
                .hasValueSatisfying(text -> assertThat(text).contains("Result: 4"));
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.model()).isEqualTo("math");
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isPositive();
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
    }

    @Test
    void javaSdkStreamsTheSimulatorsAnswerWithTheUsageLast() {
        ChatCompletionCreateParams params = ask("general", "Tell me about queues")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream =
                sdk.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            });
        }
        assertThat(text.toString()).isNotBlank();
        assertThat(chunks.get(0).choices().get(0).delta().role()).isPresent();
        assertThat(chunks.getLast().choices()).isEmpty();
        CompletionUsage usage = chunks.getLast().usage().orElseThrow();
        assertThat(usage.completionTokens()).isPositive();
        assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason())
                .isPresent();
    }

    @Test
    void javaSdkSamplingParametersReachTheProvider() {
        // The simulator honours max_tokens: 5 tokens come back only if the parameter went through.
        ChatCompletion completion = sdk.chat()
                .completions()
                .create(ask("general", "Tell me a long story")
                        .maxCompletionTokens(5)
                        .temperature(0.3)
                        .seed(7)
                        .build());
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(5);
        assertThat(completion.choices().get(0).message().content())
                .hasValueSatisfying(text -> assertThat(text).isNotBlank());
    }

    /** A function the Java SDK describes from a class: its JSON Schema is the SDK's own. */
    static final class Weather {
        @JsonPropertyDescription("The city to look up")
        public String city;
    }

    @Test
    void javaSdkToolsRoundTrip() {
        ChatCompletionCreateParams.Builder conversation =
                ask("general", "Weather in Paris?").addTool(Weather.class);
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream =
                sdk.chat().completions().createStreaming(conversation.build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        ChatCompletion.Choice called = accumulator.chatCompletion().choices().get(0);
        assertThat(called.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call =
                called.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.function().name()).isEqualTo("Weather");
        // The simulator fills a string argument with the question: the SDK's schema reached it.
        assertThat(call.function().arguments(Weather.class).city).isEqualTo("Weather in Paris?");

        ChatCompletion answer = sdk.chat()
                .completions()
                .create(conversation
                        .addMessage(called.message())
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId(call.id())
                                .content("sunny, 21 C")
                                .build())
                        .build());
        assertThat(answer.choices().get(0).message().content())
                .hasValueSatisfying(text -> assertThat(text).contains("tool said: sunny, 21 C"));
        assertThat(answer.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }

    @Test
    void langChain4jToolsRoundTrip() throws Exception {
        OpenAiStreamingChatModel model = langChain4j();
        ToolSpecification weather = ToolSpecification.builder()
                .name("weather")
                .description("The weather in a city")
                .parameters(JsonObjectSchema.builder()
                        .addStringProperty("city")
                        .addIntegerProperty("days")
                        .required("city")
                        .build())
                .build();
        UserMessage question = UserMessage.from("Oslo tomorrow");
        ChatResponse called = chat(
                model,
                ChatRequest.builder()
                        .messages(question)
                        .toolSpecifications(weather)
                        .build());
        assertThat(called.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        ToolExecutionRequest call = called.aiMessage().toolExecutionRequests().get(0);
        assertThat(call.name()).isEqualTo("weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Oslo tomorrow\",\"days\":2}");

        ChatResponse answer = chat(
                model,
                ChatRequest.builder()
                        .messages(question, called.aiMessage(), ToolExecutionResultMessage.from(call, "snow"))
                        .toolSpecifications(weather)
                        .build());
        assertThat(answer.aiMessage().text()).contains("tool said: snow");
    }

    @Test
    void javaSdkReadsEveryRefusalAsItsOwnExceptionType() throws Exception {
        NotFoundException unknownModel = catchThrowableOfType(
                NotFoundException.class,
                () -> sdk.chat().completions().create(ask("gpt-9", "hi").build()));
        assertThat(unknownModel.code()).hasValue("model_not_found");
        assertThat(unknownModel.param()).hasValue("model");

        UnauthorizedException badKey = catchThrowableOfType(
                UnauthorizedException.class,
                () -> client("agk_0000000000000bad_nope")
                        .chat()
                        .completions()
                        .create(ask("math", "hi").build()));
        assertThat(badKey.statusCode()).isEqualTo(401);

        BadRequestException temperature = catchThrowableOfType(
                BadRequestException.class,
                () -> sdk.chat()
                        .completions()
                        .create(ask("math", "hi").temperature(0.2).build()));
        assertThat(temperature.param()).hasValue("temperature");
        assertThat(temperature.code()).hasValue("unsupported_parameter");

        OpenAIClient generalOnly = client(createKey("oai-general", "general"));
        PermissionDeniedException forbidden = catchThrowableOfType(
                PermissionDeniedException.class,
                () -> generalOnly.chat().completions().create(ask("math", "hi").build()));
        assertThat(forbidden.statusCode()).isEqualTo(403);

        String limited = createKey("oai-limited", "*");
        admin("PUT", "/api/v1/admin/limits/tenants/oai-limited", "{\"rate_per_second\":1,\"burst\":1}");
        OpenAIClient limitedClient = client(limited);
        RateLimitException rate = Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            try {
                                limitedClient
                                        .chat()
                                        .completions()
                                        .create(ask("math", "What is 1+1?").build());
                                return null;
                            } catch (RateLimitException e) {
                                return e;
                            }
                        },
                        e -> e != null);
        assertThat(rate.headers().values("Retry-After")).isNotEmpty();
        assertThat(rate.type()).hasValue("rate_limit_error");
    }

    @Test
    void javaSdkSeesAnErrorEventAsAnError() {
        ChatCompletionCreateParams params = ask("math", "What is 10^100000000?").build();
        Throwable failure;
        try (StreamResponse<ChatCompletionChunk> stream =
                sdk.chat().completions().createStreaming(params)) {
            failure = org.assertj.core.api.Assertions.catchThrowable(
                    () -> stream.stream().forEach(chunk -> {}));
        }
        assertThat(failure).isInstanceOf(SseException.class).hasMessageContaining("beyond the supported range");
        assertThat(((SseException) failure).code()).hasValue("math_too_large");
    }

    @Test
    void aStreamTheClientAbandonsIsCancelled() throws Exception {
        ChatCompletionCreateParams params = ask("diagnostic", "sleep 60000").build();
        String id;
        try (HttpResponseFor<StreamResponse<ChatCompletionChunk>> response =
                sdk.chat().completions().withRawResponse().createStreaming(params)) {
            id = response.headers().values("X-Request-Id").get(0);
            try (StreamResponse<ChatCompletionChunk> stream = response.parse()) {
                Iterator<ChatCompletionChunk> chunks = stream.stream().iterator();
                assertThat(chunks.next().choices().get(0).delta().role()).isPresent();
                assertThat(chunks.next().choices().get(0).delta().content()).isPresent(); // a tick
            }
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(admin("GET", "/api/v1/queries/" + id, null))
                        .contains("\"status\":\"error\"")
                        .contains("cancelled"));
    }

    @Test
    void langChain4jStreamsAndCompletesWithUsage() throws Exception {
        StringBuilder partials = new StringBuilder();
        ChatResponse response = chat(
                langChain4j(),
                ChatRequest.builder()
                        .messages(UserMessage.from("Tell me about queues"))
                        .build(),
                partials);
        assertThat(response.aiMessage().text()).isNotBlank().isEqualTo(partials.toString());
        assertThat(response.tokenUsage()).isNotNull();
        assertThat(response.tokenUsage().outputTokenCount()).isPositive();
    }

    private OpenAiStreamingChatModel langChain4j() {
        return OpenAiStreamingChatModel.builder()
                .baseUrl(stack.url("/v1"))
                .apiKey(Stack.ADMIN_KEY)
                .modelName("general")
                // The worker's own langchain4j HTTP client is on this classpath too: use langchain4j's.
                .httpClientBuilder(JdkHttpClient.builder())
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    private static ChatResponse chat(OpenAiStreamingChatModel model, ChatRequest request) throws Exception {
        return chat(model, request, new StringBuilder());
    }

    /** Streams the request's answer through the model, its text pieces into {@code partials}. */
    private static ChatResponse chat(OpenAiStreamingChatModel model, ChatRequest request, StringBuilder partials)
            throws Exception {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        return done.get(30, TimeUnit.SECONDS);
    }

    /**
     * The official {@code openai} npm package (its lock file committed; {@code npm ci} when its
     * modules are missing) runs {@code e2e/clients/openai-node/check.mjs}: the same checks as above.
     */
    @Test
    void nodeSdkPassesTheSameChecks() throws Exception {
        java.nio.file.Path dir = Stack.root().resolve("e2e/clients/openai-node");
        if (!java.nio.file.Files.isDirectory(dir.resolve("node_modules/openai"))) {
            assertThat(run(dir, List.of("npm", "ci", "--no-audit", "--no-fund"), java.util.Map.of()))
                    .as("npm ci")
                    .contains("added");
        }
        String limited = createKey("oai-node-limited", "*");
        admin("PUT", "/api/v1/admin/limits/tenants/oai-node-limited", "{\"rate_per_second\":1,\"burst\":1}");
        String output = run(
                dir,
                List.of("node", "check.mjs"),
                java.util.Map.of(
                        "OPENAI_BASE_URL",
                        stack.url("/v1"),
                        "OPENAI_API_KEY",
                        Stack.ADMIN_KEY,
                        "LIMITED_KEY",
                        limited,
                        "GENERAL_ONLY_KEY",
                        createKey("oai-node-general", "general")));
        assertThat(output)
                .contains(
                        "ok wholeAnswerWithUsage",
                        "ok streamedAnswerWithUsageLast",
                        "ok toolsRoundTrip",
                        "ok refusalsAsTheClientsOwnErrors",
                        "ok anErrorEventIsAnError",
                        "ok anAbortedStreamIsCancelled")
                .doesNotContain("FAILED");
    }

    /** Runs a command to its end (at most 2 minutes) and returns its output; fails on a non-zero exit. */
    private static String run(java.nio.file.Path dir, List<String> command, java.util.Map<String, String> env)
            throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within 2 minutes");
        }
        String text = output.get(10, TimeUnit.SECONDS);
        assertThat(process.exitValue()).as(command + " said:\n" + text).isZero();
        return text;
    }

    private String createKey(String tenant, String agents) throws Exception {
        StringBuilder list = new StringBuilder();
        for (String agent : agents.split(",")) {
            list.append(list.isEmpty() ? "" : ",").append('"').append(agent).append('"');
        }
        String created = admin(
                "POST",
                "/api/v1/admin/keys",
                "{\"tenant\":\"" + tenant + "\",\"roles\":[\"user\"],\"agents\":[" + list + "],\"name\":\"oai\"}");
        Matcher key = Pattern.compile("\"key\":\"(agk_[^\"]+)\"").matcher(created);
        assertThat(key.find()).as(created).isTrue();
        return key.group(1);
    }

    private String admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.url(path)))
                .header("Authorization", "Bearer " + Stack.ADMIN_KEY)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return response.body();
    }
}
