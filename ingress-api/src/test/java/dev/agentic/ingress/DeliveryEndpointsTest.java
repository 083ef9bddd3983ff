package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Resume, retention, cancel, idempotency, client deadlines and the disconnect grace. */
class DeliveryEndpointsTest extends RedisBackedTest {
    private static final String MATH = "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void resumesAfterLastEventIdWithNoGapAndNoDuplicate() {
        Job job;
        List<Frame> before = new ArrayList<>();
        try (SseClient.Stream first = SseClient.post(url("/api/v1/query"), MATH, auth())) {
            job = takeJob();
            worker(job).append(new StreamEvent.Start("w", 1));
            worker(job).append(new StreamEvent.Token("a"));
            before.add(first.next());
            before.add(first.next());
            before.add(first.next());
        } // the client goes away after the first token
        worker(job).append(new StreamEvent.Token("b"));
        worker(job).append(new StreamEvent.Token("c"));
        String lastSeen = before.getLast().id();

        try (SseClient.Stream resumed = SseClient.get(
                url("/api/v1/queries/" + job.id() + "/events"), auth(Map.of("Last-Event-ID", lastSeen)))) {
            assertThat(resumed.status()).isEqualTo(200);
            assertThat(resumed.next().data()).isEqualTo("{\"text\":\"b\"}");
            worker(job).append(new StreamEvent.Token("d"));
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "abcd");
            List<Frame> after = new ArrayList<>(List.of(new Frame(null, "token", "{\"text\":\"b\"}", 0)));
            after.addAll(resumed.drain());

            assertThat(before).extracting(Frame::event).containsExactly("queued", "start", "token");
            assertThat(after)
                    .extracting(f -> f.event() + f.data())
                    .containsExactly(
                            "token{\"text\":\"b\"}",
                            "token{\"text\":\"c\"}",
                            "token{\"text\":\"d\"}",
                            "done{\"usage\":{\"tokens_in\":0,\"tokens_out\":0,\"cost_usd\":0.0},\"finish_reason\":\"stop\"}");
        }
    }

    @Test
    void resumingAFinishedRequestReplaysToItsTerminalEventAndCloses() {
        Job job = finishedRequest();
        try (SseClient.Stream replay =
                SseClient.get(url("/api/v1/queries/" + job.id() + "/events?after=0-0"), auth())) {
            assertThat(replay.drain()).extracting(Frame::event).containsExactly("queued", "token", "done");
        }
    }

    @Test
    void resumingAfterTheTerminalEventClosesAtOnceInsteadOfWaitingForTheDeadline() throws Exception {
        Job job = finishedRequest();
        String terminalId;
        try (SseClient.Stream replay =
                SseClient.get(url("/api/v1/queries/" + job.id() + "/events?after=0-0"), auth())) {
            terminalId = replay.drain().getLast().id();
        }
        // A browser's EventSource reconnects after the server closes, with the terminal's id.
        try (SseClient.Stream again = SseClient.get(
                url("/api/v1/queries/" + job.id() + "/events"), auth(Map.of("Last-Event-ID", terminalId)))) {
            CompletableFuture<List<Frame>> rest = CompletableFuture.supplyAsync(again::drain);
            assertThat(rest.get(10, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void aJsonReplayOfAnOverdueRequestWhoseEventsExpiredAnswersGoneAtOnce() throws Exception {
        String json = "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\",\"timeout_ms\":1000}";
        String key = "replay-" + System.nanoTime();
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(
                request("/api/v1/query")
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Job job = takeJob();
        worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        redis().del(RedisKeys.events(job.id())); // the log's retention passed; the status is kept longer
        await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() > job.deadlineMs() + 1500);

        HttpResponse<String> replay = http.send(
                request("/api/v1/query")
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(410);
        assertThat(replay.body()).contains("\"code\":\"gone\"", job.id());
    }

    @Test
    void aGarbledLastEventIdIsABadRequest() throws Exception {
        Job job = finishedRequest();
        HttpResponse<String> response = http.send(
                request("/api/v1/queries/" + job.id() + "/events")
                        .header("Last-Event-ID", "yesterday")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"code\":\"invalid_last_event_id\"");
    }

    @Test
    void eventsOfAnUnknownRequestAreNotFound() throws Exception {
        assertThat(get("/api/v1/queries/0b8f5a8e-3c3e-4a4b-9a59-6f1f2b8f9d10/events")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void eventsPastTheirRetentionAreGone() throws Exception {
        Job job = finishedRequest();
        redis().pexpire(RedisKeys.events(job.id()), 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis().exists(RedisKeys.events(job.id())) == 0);

        HttpResponse<String> response = get("/api/v1/queries/" + job.id() + "/events");
        assertThat(response.statusCode()).isEqualTo(410);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"code\":\"gone\"");
        assertThat(get("/api/v1/queries/" + job.id()).body()).contains("\"status\":\"done\"");
    }

    @Test
    void deleteCancelsAQueuedRequestAndEndsItsStream() throws Exception {
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), MATH, auth())) {
            Job job = takeJob();
            HttpResponse<String> cancel =
                    send(request("/api/v1/queries/" + job.id()).DELETE().build());
            assertThat(cancel.statusCode()).isEqualTo(202);

            List<Frame> frames = stream.drain();
            assertThat(frames).extracting(Frame::event).containsExactly("queued", "error");
            assertThat(frames.getLast().data()).contains("\"code\":\"cancelled\"");
            HttpResponse<String> again =
                    send(request("/api/v1/queries/" + job.id()).DELETE().build());
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.body()).contains("\"status\":\"error\"");
        }
    }

    @Test
    void anIdempotencyKeyReturnsTheExistingRequestInsteadOfASecondJob() {
        long queuedBefore = redis().xlen(RedisKeys.queue(Lane.INTERACTIVE));
        Map<String, String> key = Map.of("Idempotency-Key", "order-4711-" + System.nanoTime());
        try (SseClient.Stream first = SseClient.post(url("/api/v1/query"), MATH, auth(key));
                SseClient.Stream second = SseClient.post(url("/api/v1/query"), MATH, auth(key))) {
            assertThat(second.header("x-request-id")).isEqualTo(first.header("x-request-id"));
            assertThat(second.header("idempotent-replayed")).isEqualTo("true");
            assertThat(first.header("idempotent-replayed")).isNull();
            Job job = takeJob();
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
            assertThat(first.drain()).extracting(Frame::event).containsExactly("queued", "done");
            assertThat(second.drain()).extracting(Frame::event).containsExactly("queued", "done");
        }
        assertThat(redis().xlen(RedisKeys.queue(Lane.INTERACTIVE))).isEqualTo(queuedBefore + 1);
    }

    @Test
    void anIdempotencyKeyWhoseRequestNeverCameToExistIsTakenOverByTheRetry() throws Exception {
        String key = "lost-" + System.nanoTime();
        String orphan = dev.agentic.model.RequestId.newId();
        // Claimed by a POST that failed before queuing (Redis went down), a minute ago.
        redis().set(RedisKeys.idempotency("public", sha256(key)), orphan + "|" + (System.currentTimeMillis() - 60_000));
        try (SseClient.Stream retry =
                SseClient.post(url("/api/v1/query"), MATH, auth(Map.of("Idempotency-Key", key)))) {
            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.header("x-request-id")).isNotEqualTo(orphan);
            assertThat(retry.header("idempotent-replayed")).isNull();
            Job job = takeJob();
            assertThat(job.id()).isEqualTo(retry.header("x-request-id"));
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
            assertThat(retry.drain()).extracting(Frame::event).containsExactly("queued", "done");
        }
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void theClientsTimeoutBecomesTheJobsDeadline() {
        try (SseClient.Stream body = SseClient.post(
                url("/api/v1/query"), "{\"query\":\"1+1\",\"agent_type\":\"math\",\"timeout_ms\":1234}", auth())) {
            Job job = takeJob();
            assertThat(job.deadlineMs() - job.createdAtMs()).isEqualTo(1234);
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "2");
        }
        try (SseClient.Stream header =
                SseClient.post(url("/api/v1/query"), MATH, auth(Map.of("X-Timeout-Ms", "4321")))) {
            Job job = takeJob();
            assertThat(job.deadlineMs() - job.createdAtMs()).isEqualTo(4321);
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
        }
    }

    @Test
    void refusesATimeoutOutsideTheAllowedRange() throws Exception {
        for (String body :
                List.of("{\"query\":\"1+1\",\"timeout_ms\":0}", "{\"query\":\"1+1\",\"timeout_ms\":999999999999}")) {
            HttpResponse<String> response = send(request("/api/v1/query")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build());
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(response.body()).contains("\"code\":\"invalid_timeout\"");
        }
    }

    @Test
    void aClientThatLeavesAndDoesNotResumeWithinTheGraceIsCancelled() {
        Job job;
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), MATH, auth())) {
            job = takeJob();
            assertThat(stream.next().event()).isEqualTo("queued");
        }
        // The relay notices at its next heartbeat (300 ms), then waits the 1 s grace.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "error".equals(log.status(job.id()).get(RedisKeys.STATUS_FIELD)));
        assertThat(log.status(job.id()).get(RedisKeys.RESULT_FIELD)).contains("\"code\":\"cancelled\"");
    }

    @Test
    void aClientThatResumesWithinTheGraceKeepsItsRequest() throws Exception {
        Job job;
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), MATH, auth())) {
            job = takeJob();
            stream.next();
        }
        try (SseClient.Stream resumed = SseClient.get(url("/api/v1/queries/" + job.id() + "/events"), auth())) {
            assertThat(resumed.next().event()).isEqualTo("queued");
            await().pollDelay(Duration.ofMillis(2500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            assertThat(log.status(job.id())).containsEntry(RedisKeys.STATUS_FIELD, "queued");
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
            assertThat(resumed.drain()).extracting(Frame::event).containsExactly("done");
        }
    }

    private Job finishedRequest() {
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), MATH, auth())) {
            Job job = takeJob();
            worker(job).append(new StreamEvent.Token("4"));
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
            stream.drain();
            return job;
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(request(path).build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
