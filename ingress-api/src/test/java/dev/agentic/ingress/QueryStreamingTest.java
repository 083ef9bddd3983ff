package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Job;
import dev.agentic.model.RedisKeys;
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
import org.junit.jupiter.api.Test;

class QueryStreamingTest extends RedisBackedTest {
    private static final String MATH = "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void relaysEveryEventInLogOrderWithIdsUntilDone() {
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), MATH, auth())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("content-type")).startsWith("text/event-stream");
            Job job = takeJob();
            assertThat(stream.header("x-request-id")).isEqualTo(job.id());
            worker(job).append(new StreamEvent.Start("w", 1));
            worker(job).append(new StreamEvent.Token("Result:"));
            worker(job).append(new StreamEvent.Token(" 4"));
            worker(job).finish(new StreamEvent.Done(new Usage(3, 2, 0), "stop"), "Result: 4");

            List<Frame> frames = stream.drain();
            assertThat(frames).extracting(Frame::event).containsExactly("queued", "start", "token", "token", "done");
            assertThat(frames).allSatisfy(f -> assertThat(f.id()).matches("\\d+-\\d+"));
            assertThat(frames).extracting(Frame::id).doesNotHaveDuplicates();
            assertThat(frames.get(3).data()).isEqualTo("{\"text\":\" 4\"}");
        }
    }

    @Test
    void fillsAMissedLiveMessageFromTheLog() {
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), MATH, auth())) {
            Job job = takeJob();
            worker(job).append(new StreamEvent.Start("w", 1));
            // An entry whose live message never arrives (pub/sub is at-most-once): written to the log only.
            String missed =
                    redis().xadd(RedisKeys.events(job.id()), Map.of("type", "token", "data", "{\"text\":\"lost\"}"));
            redis().hset(RedisKeys.request(job.id()), RedisKeys.LAST_EVENT_FIELD, missed);
            worker(job).append(new StreamEvent.Token(" found"));
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "lost found");

            assertThat(stream.drain())
                    .extracting(f -> f.event() + " " + f.data())
                    .containsExactly(
                            "queued {\"lane\":\"interactive\"}",
                            "start {\"worker\":\"w\",\"attempt\":1}",
                            "token {\"text\":\"lost\"}",
                            "token {\"text\":\" found\"}",
                            "done {\"usage\":{\"tokens_in\":0,\"tokens_out\":0,\"cost_usd\":0.0},\"finish_reason\":\"stop\"}");
        }
    }

    @Test
    void sendsHeartbeatCommentsWhileTheStreamIsIdle() {
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), MATH, auth())) {
            Job job = takeJob();
            Frame queued = stream.next();
            assertThat(queued).isNotNull();
            CompletableFuture<Frame> start = CompletableFuture.supplyAsync(stream::next);
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> stream.comments() >= 2);
            worker(job).append(new StreamEvent.Start("w", 1));
            assertThat(start.join().event()).isEqualTo("start");
            worker(job).finish(new StreamEvent.Error("agent_failed", "x", false), "");
            assertThat(stream.drain()).extracting(Frame::event).containsExactly("error");
        }
    }

    @Test
    void jsonClientsGetTheWholeAnswer() throws Exception {
        CompletableFuture<HttpResponse<String>> response =
                http.sendAsync(jsonPost(MATH), HttpResponse.BodyHandlers.ofString());
        Job job = takeJob();
        worker(job).append(new StreamEvent.Token("Result:"));
        worker(job).append(new StreamEvent.Restart(2, "worker lost"));
        worker(job).append(new StreamEvent.Token("Result:"));
        worker(job).append(new StreamEvent.Token(" 4"));
        worker(job).finish(new StreamEvent.Done(new Usage(3, 2, 0), "stop"), "Result: 4");

        HttpResponse<String> answer = response.join();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(answer.body())
                .contains(
                        "\"id\":\"" + job.id() + "\"",
                        "\"answer\":\"Result: 4\"",
                        "\"agent_type\":\"math\"",
                        "\"tokens_out\":2");
    }

    @Test
    void jsonClientsGetAProblemWhenTheAgentFails() {
        CompletableFuture<HttpResponse<String>> response =
                http.sendAsync(jsonPost(MATH), HttpResponse.BodyHandlers.ofString());
        Job job = takeJob();
        worker(job).finish(new StreamEvent.Error("math_unparseable", "Could not read 'x'", false), "");

        HttpResponse<String> answer = response.join();
        assertThat(answer.statusCode()).isEqualTo(422);
        assertThat(answer.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(answer.body()).contains("\"code\":\"math_unparseable\"", "Could not read 'x'", job.id());
    }

    @Test
    void statusReportsTheAnswerOnceDone() throws Exception {
        CompletableFuture<HttpResponse<String>> response =
                http.sendAsync(jsonPost(MATH), HttpResponse.BodyHandlers.ofString());
        Job job = takeJob();
        HttpResponse<String> running =
                http.send(get("/api/v1/queries/" + job.id()), HttpResponse.BodyHandlers.ofString());
        assertThat(running.body()).contains("\"status\":\"queued\"").doesNotContain("answer");
        worker(job).finish(new StreamEvent.Done(new Usage(1, 1, 0), "stop"), "4");
        response.join();

        HttpResponse<String> done = http.send(get("/api/v1/queries/" + job.id()), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("\"status\":\"done\"", "\"answer\":\"4\"", "\"finish_reason\":\"stop\"");
    }

    private HttpRequest jsonPost(String body) {
        return request("/api/v1/query")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }
}
