package dev.agentic.loadtest.llmsim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@Timeout(value = 15, unit = TimeUnit.SECONDS)
class LlmSimulatorTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MODEL = "agentic-llm-simulator";
    private static final String CHUNK_PATTERN =
            "\\{\"id\":\"chatcmpl-[0-9a-f-]{36}\",\"object\":\"chat.completion.chunk\","
                    + "\"created\":\\d+,\"model\":\"" + MODEL + "\",\"choices\":\\[\\{\"index\":0,\"delta\":%s,"
                    + "\"finish_reason\":%s}]}";

    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private @Nullable LlmSimulator simulator;

    @AfterEach
    void tearDown() {
        if (simulator != null) {
            simulator.close();
        }
        client.shutdownNow();
    }

    @Test
    void streamsExactlyNTokensInOrderThenFinishUsageAndDone() throws Exception {
        LlmSimulator sim = start(Duration.ZERO, Duration.ZERO, 5, 4, null);

        HttpResponse<InputStream> response =
                openStream("{\"model\":\"whatever\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"system\",\"content\":\"be  brief\"},"
                        + "{\"role\":\"user\",\"content\":\"hello there world\"}],\"unknown_field\":[1,2]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<Event> events = readEvents(response.body());
        assertThat(events).hasSize(5 + 3);
        assertThat(events.get(0).data())
                .matches(CHUNK_PATTERN.formatted("\\{\"role\":\"assistant\",\"content\":\"sim0 \"}", "null"));
        for (int i = 1; i < 5; i++) {
            assertThat(events.get(i).data())
                    .matches(CHUNK_PATTERN.formatted("\\{\"content\":\"sim" + i + " \"}", "null"));
        }
        assertThat(events.get(5).data()).matches(CHUNK_PATTERN.formatted("\\{}", "\"stop\""));
        StringBuilder text = new StringBuilder();
        String id = json(events.get(0)).get("id").stringValue();
        for (Event event : events.subList(0, 6)) {
            JsonNode chunk = json(event);
            assertThat(chunk.get("id").stringValue()).isEqualTo(id);
            text.append(chunk.at("/choices/0/delta/content").asString(""));
        }
        assertThat(text).hasToString("sim0 sim1 sim2 sim3 sim4 ");
        JsonNode usage = json(events.get(6));
        assertThat(usage.get("id").stringValue()).isEqualTo(id);
        assertThat(usage.get("object").stringValue()).isEqualTo("chat.completion.chunk");
        assertThat(usage.get("choices").isEmpty()).isTrue();
        assertThat(usage.get("usage").toString())
                .isEqualTo("{\"prompt_tokens\":5,\"completion_tokens\":5,\"total_tokens\":10}");
        assertThat(events.getLast().data()).isEqualTo("[DONE]");
        await().atMost(Duration.ofSeconds(5)).until(sim::stats, s -> s.equals(new SimulatorStats(0, 1, 0, 0)));
    }

    @Test
    void maxTokensCapsTheOutputAndFinishesWithLength() throws Exception {
        start(Duration.ZERO, Duration.ZERO, 10, 4, null);

        List<Event> events = readEvents(
                openStream("{\"stream\":true,\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                        .body());

        assertThat(events).hasSize(3 + 2); // no usage chunk unless asked for
        assertThat(events.subList(0, 3))
                .extracting(e -> json(e).at("/choices/0/delta/content").stringValue())
                .containsExactly("sim0 ", "sim1 ", "sim2 ");
        assertThat(json(events.get(3)).at("/choices/0/finish_reason").stringValue())
                .isEqualTo("length");
        assertThat(events.get(4).data()).isEqualTo("[DONE]");

        JsonNode capped = json(
                post(
                        "/chat/completions",
                        "{\"max_completion_tokens\":2,\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(capped.at("/choices/0/message/content").stringValue()).isEqualTo("sim0 sim1 ");
        assertThat(capped.at("/choices/0/finish_reason").stringValue()).isEqualTo("length");

        JsonNode notCapped = json(
                post("/chat/completions", "{\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertThat(notCapped.at("/usage/completion_tokens").intValue()).isEqualTo(10);
        assertThat(notCapped.at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
    }

    @Test
    void nonStreamingReturnsTheWholeTextAndUsage() throws Exception {
        LlmSimulator sim = start(Duration.ZERO, Duration.ZERO, 4, 4, null);

        HttpResponse<String> response = send(chat(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"one two\"}]},"
                        + "{\"role\":\"assistant\",\"content\":null}]}"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("id").stringValue()).startsWith("chatcmpl-");
        assertThat(body.get("object").stringValue()).isEqualTo("chat.completion");
        assertThat(body.get("model").stringValue()).isEqualTo(MODEL);
        assertThat(body.at("/choices/0/message").toString())
                .isEqualTo("{\"role\":\"assistant\",\"content\":\"sim0 sim1 sim2 sim3 \"}");
        assertThat(body.at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
        assertThat(body.get("usage").toString())
                .isEqualTo("{\"prompt_tokens\":2,\"completion_tokens\":4,\"total_tokens\":6}");
        // counted after the body is written: the client may read it first
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(sim.stats().completed()).isEqualTo(1));
    }

    @Test
    void tokensArriveSpacedOut() throws Exception {
        Duration ttft = Duration.ofMillis(60);
        Duration inter = Duration.ofMillis(40);
        int tokens = 6;
        start(ttft, inter, tokens, 4, null);

        long sent = System.nanoTime();
        List<Event> events = readEvents(openStream(streamRequest()).body());

        assertThat(events).hasSize(tokens + 2);
        // Lower bounds only, so a slow machine cannot fail it. Measured from before the request was
        // sent, each token cannot arrive before the server's sleeps leading to it.
        for (int i = 0; i < tokens; i++) {
            assertThat(events.get(i).nanos() - sent)
                    .as("arrival of token %d", i)
                    .isGreaterThanOrEqualTo(ttft.plus(inter.multipliedBy(i)).toNanos());
        }
        // First to last chunk: (N-1) inter-token delays; one delay of slack for a late wake-up of the
        // reading thread on the first chunk.
        long gap = events.get(tokens - 1).nanos() - events.get(0).nanos();
        assertThat(gap).isGreaterThanOrEqualTo(inter.multipliedBy(tokens - 2).toNanos());
    }

    @Test
    void overCapacityAnswers429WithRetryAfterAtOnce() throws Exception {
        LlmSimulator sim = start(Duration.ZERO, Duration.ofMillis(10), 1000, 1, null);
        HttpResponse<InputStream> busy = openStream(streamRequest());
        BufferedReader busyReader = reader(busy.body());
        assertThat(nextData(busyReader)).contains("sim0 ");
        assertThat(sim.stats().active()).isEqualTo(1);

        HttpResponse<String> second = send(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));

        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(second.body())
                .isEqualTo("{\"error\":{\"message\":\"simulator over capacity (max 1 concurrent)\","
                        + "\"type\":\"rate_limit_exceeded\",\"code\":\"rate_limit_exceeded\"}}");
        assertThat(sim.stats().rejected()).isEqualTo(1);
        assertThat(nextData(busyReader)).contains("sim1 "); // the first stream goes on
        busy.body().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> sim.stats().active() == 0);
    }

    @Test
    void clientClosingMidStreamCancelsAndReleasesTheSlot() throws Exception {
        LlmSimulator sim = start(Duration.ZERO, Duration.ofMillis(5), 1000, 1, null);
        HttpResponse<InputStream> response = openStream(streamRequest());
        BufferedReader reader = reader(response.body());
        assertThat(nextData(reader)).contains("sim0 ");
        assertThat(nextData(reader)).contains("sim1 ");

        response.body().close();

        await().atMost(Duration.ofSeconds(5)).until(sim::stats, s -> s.cancelled() == 1 && s.active() == 0);
        assertThat(sim.stats().completed()).isZero();
        // The slot is free again: a new request is served.
        assertThat(send(chat("{\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void closeEndsStreamsInFlightPromptly() throws Exception {
        LlmSimulator sim = start(Duration.ZERO, Duration.ofMillis(10), 1000, 2, null);
        HttpResponse<InputStream> response = openStream(streamRequest());
        BufferedReader reader = reader(response.body());
        assertThat(nextData(reader)).contains("sim0 ");

        long before = System.nanoTime();
        sim.close();

        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(3));
        assertThat(sim.stats()).isEqualTo(new SimulatorStats(0, 0, 1, 0));
        assertThat(readRest(reader)).doesNotContain("[DONE]");
    }

    @Test
    void apiKeyIsRequiredOnV1WhenConfigured() throws Exception {
        start(Duration.ZERO, Duration.ZERO, 2, 4, "s3cret");
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

        HttpResponse<String> missing = send(chat(body));
        HttpResponse<String> wrong = send(withAuth(chat(body), "Bearer nope"));
        HttpResponse<String> modelsWrong = send(withAuth(get("/v1/models"), "Basic s3cret"));
        HttpResponse<String> right = send(withAuth(chat(body), "Bearer s3cret"));

        for (HttpResponse<String> denied : List.of(missing, wrong, modelsWrong)) {
            assertThat(denied.statusCode()).isEqualTo(401);
            JsonNode error = JSON.readTree(denied.body()).get("error");
            assertThat(error.get("type").stringValue()).isEqualTo("invalid_request_error");
            assertThat(error.get("message").stringValue()).contains("API key");
        }
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(send(get("/health")).statusCode()).isEqualTo(200); // outside /v1: open
    }

    @Test
    void malformedRequestsGet400WithAnOpenAiErrorBody() throws Exception {
        LlmSimulator sim = start(Duration.ZERO, Duration.ZERO, 2, 4, null);

        HttpResponse<String> malformed = send(chat("{\"messages\": [ oops"));
        HttpResponse<String> noMessages = send(chat("{\"model\":\"m\",\"stream\":true}"));
        HttpResponse<String> emptyMessages = send(chat("{\"messages\":[]}"));
        HttpResponse<String> notAnObject = send(chat("[1,2]"));
        HttpResponse<String> badMaxTokens = send(chat("{\"max_tokens\":\"ten\",\"messages\":[{\"content\":\"x\"}]}"));

        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body())
                .isEqualTo(
                        "{\"error\":{\"message\":\"request body is not valid JSON\",\"type\":\"invalid_request_error\",\"code\":null}}");
        for (HttpResponse<String> bad : List.of(noMessages, emptyMessages, notAnObject, badMaxTokens)) {
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).at("/error/type").stringValue())
                    .isEqualTo("invalid_request_error");
        }
        assertThat(noMessages.body()).contains("messages");
        assertThat(sim.stats()).isEqualTo(new SimulatorStats(0, 0, 0, 0));
    }

    @Test
    void modelsListsTheConfiguredModel() throws Exception {
        start(Duration.ZERO, Duration.ZERO, 2, 4, null);

        HttpResponse<String> response = send(get("/v1/models"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .isEqualTo("{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL
                        + "\",\"object\":\"model\",\"created\":0,\"owned_by\":\"agentic-simulator\"}]}");
    }

    @Test
    void healthStatsUnknownPathsAndWrongMethods() throws Exception {
        LlmSimulator sim = start(Duration.ZERO, Duration.ZERO, 2, 4, null);
        send(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));

        assertThat(send(get("/health")).body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(send(get("/sim/stats")).body())
                .isEqualTo("{\"active\":0,\"completed\":1,\"cancelled\":0,\"rejected\":0}");
        HttpResponse<String> unknown = send(get("/v1/nope"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).at("/error/message").stringValue())
                .contains("/v1/nope");
        assertThat(send(get("/")).statusCode()).isEqualTo(404);
        HttpResponse<String> wrongMethod = send(get("/v1/chat/completions"));
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
        assertThat(send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/models"))
                                .POST(HttpRequest.BodyPublishers.noBody()))
                        .statusCode())
                .isEqualTo(405);
        assertThat(sim.baseUrl()).isEqualTo("http://127.0.0.1:" + sim.port() + "/v1");
    }

    private static final String WEATHER_TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"clock\"}},"
            + "{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"parameters\":{\"type\":\"object\","
            + "\"properties\":{\"city\":{\"type\":\"string\"},\"days\":{\"type\":\"integer\"},"
            + "\"metric\":{\"type\":\"boolean\"},\"extra\":{\"type\":\"array\"}}}}}]";

    @Test
    void aRequestWithToolsIsAnsweredWithACallStreamedInOpenAisForm() throws Exception {
        start(Duration.ZERO, Duration.ZERO, 5, 4, null);

        List<Event> events = readEvents(openStream("{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + WEATHER_TOOLS
                        + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"weather\"}},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Paris next week\"}]}")
                .body());

        assertThat(events).hasSize(6);
        JsonNode first = json(events.getFirst()).at("/choices/0/delta");
        assertThat(first.get("role").stringValue()).isEqualTo("assistant");
        assertThat(first.get("content").isNull()).isTrue();
        assertThat(first.at("/tool_calls/0/id").stringValue()).matches("call_[0-9a-f]{24}");
        assertThat(first.at("/tool_calls/0/type").stringValue()).isEqualTo("function");
        assertThat(first.at("/tool_calls/0/function/name").stringValue()).isEqualTo("weather");
        StringBuilder arguments = new StringBuilder();
        for (Event event : events.subList(0, 3)) {
            JsonNode call = json(event).at("/choices/0/delta/tool_calls/0");
            assertThat(call.get("index").intValue()).isZero();
            arguments.append(call.at("/function/arguments").stringValue());
        }
        assertThat(arguments).hasToString("{\"city\":\"Paris next week\",\"days\":3,\"metric\":true}");
        assertThat(json(events.get(3)).at("/choices/0/finish_reason").stringValue())
                .isEqualTo("tool_calls");
        assertThat(json(events.get(4)).at("/usage/completion_tokens").intValue())
                .isEqualTo((arguments.length() + 3) / 4);
        assertThat(events.getLast().data()).isEqualTo("[DONE]");
    }

    @Test
    void aWholeAnswerCarriesTheCallAndToolChoiceNoneAnswersInText() throws Exception {
        start(Duration.ZERO, Duration.ZERO, 2, 4, null);

        JsonNode called = json(post(
                "/chat/completions", "{" + WEATHER_TOOLS + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(called.at("/choices/0/finish_reason").stringValue()).isEqualTo("tool_calls");
        assertThat(called.at("/choices/0/message/content").isNull()).isTrue();
        assertThat(called.at("/choices/0/message/tool_calls/0/function/name").stringValue())
                .as("without a tool_choice, the first tool")
                .isEqualTo("clock");
        assertThat(called.at("/choices/0/message/tool_calls/0/function/arguments")
                        .stringValue())
                .isEqualTo("{}");

        JsonNode text = json(post(
                "/chat/completions",
                "{" + WEATHER_TOOLS
                        + ",\"tool_choice\":\"none\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(text.at("/choices/0/message/content").stringValue()).isEqualTo("sim0 sim1 ");
    }

    @Test
    void aToolsResultIsRepeatedInTheAnswer() throws Exception {
        start(Duration.ZERO, Duration.ZERO, 2, 4, null);
        String conversation = WEATHER_TOOLS + ",\"messages\":[{\"role\":\"user\",\"content\":\"Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"weather\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny,  21 C\"}]";

        List<Event> events =
                readEvents(openStream("{\"stream\":true," + conversation + "}").body());
        assertThat(events.subList(0, events.size() - 2))
                .extracting(e -> json(e).at("/choices/0/delta/content").stringValue())
                .containsExactly("tool ", "said: ", "sunny, ", "21 ", "C ");
        assertThat(json(events.get(events.size() - 2))
                        .at("/choices/0/finish_reason")
                        .stringValue())
                .isEqualTo("stop");

        JsonNode whole = json(post("/chat/completions", "{\"max_tokens\":3," + conversation + "}"));
        assertThat(whole.at("/choices/0/message/content").stringValue()).isEqualTo("tool said: sunny, ");
    }

    // ---- helpers ----

    private LlmSimulator start(Duration ttft, Duration inter, int tokens, int maxConcurrency, @Nullable String apiKey) {
        LlmSimulator started =
                LlmSimulator.start(new SimulatorConfig(0, ttft, inter, tokens, maxConcurrency, apiKey, MODEL));
        simulator = started;
        return started;
    }

    private LlmSimulator sim() {
        assertThat(simulator).isNotNull();
        return simulator;
    }

    private static String streamRequest() {
        return "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"tell me\"}]}";
    }

    private HttpRequest.Builder chat(String json) {
        return HttpRequest.newBuilder(URI.create(sim().baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim().port() + path))
                .GET();
    }

    private static HttpRequest.Builder withAuth(HttpRequest.Builder request, String authorization) {
        return request.header("Authorization", authorization);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String post(String v1Path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(sim().baseUrl() + v1Path))
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private HttpResponse<InputStream> openStream(String json) throws IOException, InterruptedException {
        return client.send(chat(json).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The next {@code data:} payload, or null at the end of the stream. */
    private static @Nullable String nextData(BufferedReader reader) throws IOException {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.startsWith("data: ")) {
                return line.substring("data: ".length());
            }
            assertThat(line).isEmpty();
        }
        return null;
    }

    /** Every {@code data:} payload until the stream ends, each with the time it was read. */
    private static List<Event> readEvents(InputStream in) throws IOException {
        try (BufferedReader reader = reader(in)) {
            List<Event> events = new ArrayList<>();
            for (String data = nextData(reader); data != null; data = nextData(reader)) {
                events.add(new Event(data, System.nanoTime()));
            }
            return events;
        }
    }

    /** What is left of a stream that may be cut off (then the read fails, which ends it too). */
    private static String readRest(BufferedReader reader) {
        StringBuilder rest = new StringBuilder();
        try (reader) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                rest.append(line).append('\n');
            }
        } catch (IOException cutOff) {
            rest.append("<cut off>");
        }
        return rest.toString();
    }

    private static JsonNode json(Event event) {
        return JSON.readTree(event.data());
    }

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    private record Event(String data, long nanos) {}
}
