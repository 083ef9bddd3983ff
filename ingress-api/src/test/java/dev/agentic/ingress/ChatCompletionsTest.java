package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.ChatOptions;
import dev.agentic.model.Job;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OpenAI-compatible API: chat completions through the same intake and queue, OpenAI's chunks and errors. */
class ChatCompletionsTest extends RedisBackedTest {
    private static final String MATH_CHAT =
            "{\"model\":\"math\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]%s}";
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(String body, String key) throws Exception {
        return http.send(
                HttpRequest.newBuilder(java.net.URI.create(url("/v1/chat/completions")))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersInFullThroughTheQueue() throws Exception {
        CompletableFuture<HttpResponse<String>> response =
                CompletableFuture.supplyAsync(() -> unchecked(() -> post(MATH_CHAT.formatted(""), ADMIN_KEY)));
        Job job = takeJob();
        assertThat(job.agent()).isEqualTo("math");
        assertThat(job.query()).isEqualTo("What is 2+2?");
        worker(job).append(new StreamEvent.Token("4"));
        worker(job).finish(new StreamEvent.Done(new Usage(7, 1, 0), "stop"), "4");

        HttpResponse<String> answer = response.get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("X-Request-Id")).hasValue(job.id());
        assertThat(answer.body())
                .contains("\"id\":\"chatcmpl-" + job.id() + "\"")
                .contains("\"object\":\"chat.completion\"")
                .contains("\"model\":\"math\"")
                .contains("\"message\":{\"role\":\"assistant\",\"content\":\"4\"}")
                .contains("\"finish_reason\":\"stop\"")
                .contains("\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":1,\"total_tokens\":8}");
    }

    @Test
    void streamsChunksWithTheRoleFirstTheUsageWhenAskedAndDoneLast() {
        String body = MATH_CHAT.formatted(",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        try (SseClient.Stream stream = SseClient.post(url("/v1/chat/completions"), body, auth())) {
            assertThat(stream.status()).as(stream::bodyText).isEqualTo(200);
            Job job = takeJob();
            assertThat(stream.header("X-Request-Id")).isEqualTo(job.id());
            worker(job).append(List.of(new StreamEvent.Start("w", 1), new StreamEvent.Token("Hel")));
            worker(job).append(new StreamEvent.Token("lo"));
            worker(job).finish(new StreamEvent.Done(new Usage(3, 2, 0), "length"), "Hello");

            List<Frame> frames = stream.drain();
            List<String> data = frames.stream().map(Frame::data).toList();
            assertThat(data).hasSize(6);
            assertThat(data.get(0))
                    .contains("\"object\":\"chat.completion.chunk\"")
                    .contains("\"id\":\"chatcmpl-" + job.id() + "\"")
                    .contains("\"delta\":{\"role\":\"assistant\",\"content\":\"\"}");
            assertThat(data.get(1)).contains("\"delta\":{\"content\":\"Hel\"}").contains("\"finish_reason\":null");
            assertThat(data.get(2)).contains("\"delta\":{\"content\":\"lo\"}");
            assertThat(data.get(3)).contains("\"delta\":{}").contains("\"finish_reason\":\"length\"");
            assertThat(data.get(4))
                    .contains("\"choices\":[]")
                    .contains("\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}");
            assertThat(data.get(5)).isEqualTo("[DONE]");
            // Each token chunk carries its log entry's id, so Last-Event-ID resumes after it.
            assertThat(frames.get(1).id()).isNotBlank();
            assertThat(frames.get(0).id()).isNull();
        }
    }

    @Test
    void aChatStreamResumesAsChunksAfterItsLastEventId() {
        try (SseClient.Stream stream =
                SseClient.post(url("/v1/chat/completions"), MATH_CHAT.formatted(",\"stream\":true"), auth())) {
            assertThat(stream.status()).as(stream::bodyText).isEqualTo(200);
            Job job = takeJob();
            worker(job).append(new StreamEvent.Token("Hel"));
            assertThat(stream.next().data()).contains("\"role\":\"assistant\"");
            Frame hel = stream.next();
            assertThat(hel.data()).contains("\"content\":\"Hel\"");
            worker(job).append(new StreamEvent.Token("lo"));
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "Hello");

            try (SseClient.Stream resumed = SseClient.get(
                    url("/api/v1/queries/" + job.id() + "/events?format=openai"),
                    auth(Map.of("Last-Event-ID", hel.id())))) {
                assertThat(resumed.status()).isEqualTo(200);
                List<String> data = resumed.drain().stream().map(Frame::data).toList();
                assertThat(data).hasSize(4);
                assertThat(data.get(0)).contains("\"role\":\"assistant\"").contains("\"model\":\"math\"");
                assertThat(data.get(1)).contains("\"content\":\"lo\"").contains("chatcmpl-" + job.id());
                assertThat(data.get(2)).contains("\"finish_reason\":\"stop\"");
                assertThat(data.get(3)).isEqualTo("[DONE]");
            }
        }
    }

    @Test
    void anUnknownResumeFormatIsRefused() throws Exception {
        HttpResponse<String> refused = http.send(
                request("/api/v1/queries/0b8f5a8e-3c3e-4a4b-9a59-6f1f2b8f9d10/events?format=xml")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("\"code\":\"unknown_format\"").contains("openai");
    }

    @Test
    void anErrorEventIsAnErrorChunkThatEndsTheStream() {
        try (SseClient.Stream stream =
                SseClient.post(url("/v1/chat/completions"), MATH_CHAT.formatted(",\"stream\":true"), auth())) {
            assertThat(stream.status()).as(stream::bodyText).isEqualTo(200);
            Job job = takeJob();
            worker(job).finish(new StreamEvent.Error("math_too_large", "The result is too large", false), "");
            List<String> data = stream.drain().stream().map(Frame::data).toList();
            assertThat(data).hasSize(2);
            assertThat(data.get(1))
                    .contains("\"error\":{\"message\":\"The result is too large\"")
                    .contains("\"code\":\"math_too_large\"");
        }
    }

    @Test
    void aMultiPartConversationReachesTheAgentInOrder() throws Exception {
        String body = "{\"model\":\"general\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi \"},{\"type\":\"text\",\"text\":\"there\"}]},"
                + "{\"role\":\"assistant\",\"content\":\"Hello.\"},{\"role\":\"user\",\"content\":\"Why?\"}]}";
        CompletableFuture<HttpResponse<String>> response =
                CompletableFuture.supplyAsync(() -> unchecked(() -> post(body, ADMIN_KEY)));
        Job job = takeJob();
        assertThat(job.agent()).isEqualTo("general");
        assertThat(job.query()).isEqualTo("system: Be brief.\n\nuser: Hi there\n\nassistant: Hello.\n\nuser: Why?");
        worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "");
        assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void generalGetsTheTurnsAndTheSamplingParametersAndSkipsTheCache() throws Exception {
        String body = "{\"model\":\"general\",\"temperature\":0.5,\"top_p\":1,\"max_tokens\":5,"
                + "\"stop\":\"END\",\"seed\":7,\"messages\":[{\"role\":\"developer\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"}]}";
        CompletableFuture<HttpResponse<String>> response =
                CompletableFuture.supplyAsync(() -> unchecked(() -> post(body, ADMIN_KEY)));
        Job job = takeJob();
        assertThat(job.chat()).isNotNull();
        assertThat(job.chat().messages())
                .containsExactly(new ChatOptions.Turn("system", "Be brief."), new ChatOptions.Turn("user", "Hi"));
        assertThat(job.chat().temperature()).isEqualTo(0.5);
        assertThat(job.chat().topP()).isEqualTo(1.0);
        assertThat(job.chat().maxTokens()).isEqualTo(5);
        assertThat(job.chat().stop()).containsExactly("END");
        assertThat(job.chat().seed()).isEqualTo(7);
        worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "ok");
        HttpResponse<String> answer = response.get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("X-Cache")).isEmpty();
    }

    @Test
    void onlyGeneralCarriesChatOptions() throws Exception {
        CompletableFuture<HttpResponse<String>> response =
                CompletableFuture.supplyAsync(() -> unchecked(() -> post(MATH_CHAT.formatted(""), ADMIN_KEY)));
        Job job = takeJob();
        assertThat(job.chat()).isNull();
        worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
        assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"clock\"}},"
            + "{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"description\":\"Weather in a city\","
            + "\"parameters\":{\"title\":\"Weather\",\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\","
            + "\"enum\":[\"Paris\",\"Oslo\"]}},\"required\":[\"city\"],\"additionalProperties\":false},\"strict\":true}}]";

    @Test
    void generalGetsTheToolsAndAForcedFunctionAlone() throws Exception {
        String body = "{\"model\":\"general\"," + TOOLS + ",\"parallel_tool_calls\":false,"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"weather\"}},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Paris?\"}]}";
        CompletableFuture<HttpResponse<String>> response =
                CompletableFuture.supplyAsync(() -> unchecked(() -> post(body, ADMIN_KEY)));
        Job job = takeJob();
        assertThat(job.chat()).isNotNull();
        assertThat(job.chat().tools())
                .as("the forced function alone; the schema's title, an annotation, left out")
                .containsExactly(new ChatOptions.Tool(
                        "weather",
                        "Weather in a city",
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"enum\":[\"Paris\",\"Oslo\"]}},"
                                + "\"required\":[\"city\"],\"additionalProperties\":false}",
                        true));
        assertThat(job.chat().toolChoice()).isEqualTo("required");
        assertThat(job.chat().parallelToolCalls()).isFalse();
        worker(job).append(new StreamEvent.ToolCall("call_1", "weather", "{\"city\":\"Paris\"}"));
        worker(job).finish(new StreamEvent.Done(new Usage(9, 4, 0), "tool_calls"), "");

        HttpResponse<String> answer = response.get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body())
                .contains(
                        "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
                                + "\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}")
                .contains("\"finish_reason\":\"tool_calls\"");
    }

    @Test
    void aStreamedCallIsAToolCallsChunkAndTheStreamEndsWithToolCalls() {
        String body = "{\"model\":\"general\",\"stream\":true," + TOOLS
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (SseClient.Stream stream = SseClient.post(url("/v1/chat/completions"), body, auth())) {
            Job job = takeJob();
            assertThat(job.chat().toolChoice()).isNull();
            assertThat(job.chat().tools()).hasSize(2);
            worker(job)
                    .append(List.of(
                            new StreamEvent.ToolCall("call_1", "clock", "{}"),
                            new StreamEvent.ToolCall("call_2", "weather", "{\"city\":\"Oslo\"}")));
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "tool_calls"), "");

            List<Frame> frames = stream.drain();
            List<String> data = frames.stream().map(Frame::data).toList();
            assertThat(data).hasSize(5);
            assertThat(data.get(1))
                    .contains("\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                            + "\"function\":{\"name\":\"clock\",\"arguments\":\"{}\"}}]}");
            assertThat(data.get(2)).contains("\"index\":1,\"id\":\"call_2\"");
            assertThat(frames.get(2).id())
                    .as("a call chunk resumes like a token's")
                    .isNotBlank();
            assertThat(data.get(3)).contains("\"finish_reason\":\"tool_calls\"");
            assertThat(data.get(4)).isEqualTo("[DONE]");
        }
    }

    @Test
    void aToolsResultGoesBackWithTheCallItAnswers() throws Exception {
        String body = "{\"model\":\"general\"," + TOOLS + ",\"messages\":[{\"role\":\"user\",\"content\":\"Oslo?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_2\",\"type\":\"function\","
                + "\"function\":{\"name\":\"weather\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":[{\"type\":\"text\",\"text\":\"snow\"}]}]}";
        CompletableFuture<HttpResponse<String>> response =
                CompletableFuture.supplyAsync(() -> unchecked(() -> post(body, ADMIN_KEY)));
        Job job = takeJob();
        assertThat(job.chat().messages())
                .containsExactly(
                        new ChatOptions.Turn("user", "Oslo?"),
                        new ChatOptions.Turn(
                                "assistant", "", List.of(new StreamEvent.ToolCall("call_2", "weather", "{}")), null),
                        new ChatOptions.Turn("tool", "snow", null, "call_2"));
        worker(job).append(new StreamEvent.Token("Snow."));
        worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "Snow.");
        HttpResponse<String> answer = response.get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"content\":\"Snow.\"").doesNotContain("tool_calls");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "unknown model | {\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 404 | model_not_found | model",
                "ingest is no model | {\"model\":\"ingest\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 404 | model_not_found | model",
                "a parameter no agent honours | {\"model\":\"math\",\"temperature\":0.2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | unsupported_parameter | temperature",
                "an unknown parameter | {\"model\":\"math\",\"colour\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | unknown_parameter | colour",
                "max_tokens for math | {\"model\":\"math\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | unsupported_parameter | max_tokens",
                "tools for math | {\"model\":\"math\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"clock\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | unsupported_parameter | tools",
                "no tools | {\"model\":\"general\",\"tools\":[],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | tools",
                "a bad function name | {\"model\":\"general\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a b\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | tools[0].function.name",
                "a function twice | {\"model\":\"general\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}},{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | tools[1].function.name",
                "a top-level anyOf | {\"model\":\"general\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"anyOf\":[]}}}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | unsupported_parameter | tools[0].function.parameters.anyOf",
                "a string schema | {\"model\":\"general\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"string\"}}}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | tools[0].function.parameters.type",
                "a tool_choice without tools | {\"model\":\"general\",\"tool_choice\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | tool_choice",
                "a tool_choice naming no tool | {\"model\":\"general\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"clock\"}}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"other\"}},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | tool_choice",
                "a tool message answering nothing | {\"model\":\"general\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"tool\",\"tool_call_id\":\"c9\",\"content\":\"1\"}]} | 400 | invalid_value | messages[1].tool_call_id",
                "a tool message for math | {\"model\":\"math\",\"messages\":[{\"role\":\"tool\",\"content\":\"1\"}]} | 400 | invalid_value | messages[0].role",
                "a malformed tool call | {\"model\":\"general\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":{}}}]}]} | 400 | invalid_value | messages[0].tool_calls[0]",
                "a temperature out of range | {\"model\":\"general\",\"temperature\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | temperature",
                "five stop sequences | {\"model\":\"general\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_value | stop",
                "a fractional max_tokens | {\"model\":\"general\",\"max_tokens\":2.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | invalid_type | max_tokens",
                "n above 1 | {\"model\":\"math\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | unsupported_parameter | n",
                "no messages | {\"model\":\"math\",\"messages\":[]} | 400 | missing_messages | messages",
                "a bad role | {\"model\":\"math\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]} | 400 | invalid_value | messages[0].role",
                "an image part | {\"model\":\"math\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]} | 400 | unsupported_content | messages[0].content[0]",
                "no model | {\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | 400 | missing_model | model",
            })
    void refusesInOpenAisShape(String name, String body, int status, String code, String param) throws Exception {
        HttpResponse<String> refused = post(body, ADMIN_KEY);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(status);
        assertThat(refused.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(refused.body())
                .startsWith("{\"error\":{\"message\":")
                .contains("\"type\":\"invalid_request_error\"")
                .contains("\"param\":\"" + param + "\"")
                .contains("\"code\":\"" + code + "\"");
    }

    @Test
    void aBadKeyAndMalformedJsonGetOpenAisShapeToo() throws Exception {
        HttpResponse<String> badKey = post(MATH_CHAT.formatted(""), "agk_0000000000000bad_nope");
        assertThat(badKey.statusCode()).isEqualTo(401);
        assertThat(badKey.body()).contains("\"type\":\"authentication_error\"").doesNotContain("urn:agentic");

        HttpResponse<String> malformed = post("{\"model\":", ADMIN_KEY);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).startsWith("{\"error\":{").contains("\"type\":\"invalid_request_error\"");

        String mathOnly = createKey("chat-tenant", "user", "general");
        HttpResponse<String> forbidden = post(MATH_CHAT.formatted(""), mathOnly);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("\"type\":\"permission_error\"");
    }

    @Test
    void listsTheModelsThisKeyMayUse() throws Exception {
        String generalOnly = createKey("models-tenant", "user", "general");
        HttpResponse<String> all = http.send(request("/v1/models").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.body())
                .startsWith("{\"object\":\"list\",\"data\":[")
                .contains("{\"id\":\"general\",\"object\":\"model\",\"created\":0,\"owned_by\":\"agentic\"}")
                .contains("\"id\":\"math\"")
                .doesNotContain("\"id\":\"ingest\"");
        HttpResponse<String> limited = http.send(
                HttpRequest.newBuilder(java.net.URI.create(url("/v1/models")))
                        .header("Authorization", "Bearer " + generalOnly)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(limited.body()).contains("\"id\":\"general\"").doesNotContain("\"id\":\"math\"");
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T unchecked(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
