package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.JobQueue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Queue-depth admission against real lag, with a threshold changed at run time. */
class AdmissionControlTest extends RedisBackedTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void emptyQueue() {
        JobQueue.ensureGroup(redis(), Lane.INTERACTIVE);
        JobQueue.read(redis(), Lane.INTERACTIVE, "test-worker", 10_000, Duration.ZERO, false)
                .forEach(m -> JobQueue.ack(redis(), Lane.INTERACTIVE, m.getId()));
    }

    /** Back to the configured thresholds, applied at once (the other test classes share this ingress). */
    @AfterEach
    void defaultThresholds() throws Exception {
        emptyQueue();
        setInteractiveMaxDepth(1000);
        redis().del(RedisKeys.ADMISSION_CONFIG);
    }

    private HttpResponse<String> setInteractiveMaxDepth(long maxDepth) throws Exception {
        return send(request("/api/v1/admin/admission")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"interactive\":{\"max_depth\":" + maxDepth + "}}"))
                .build());
    }

    @Test
    void refusesWith429AndRetryAfterWhenTheQueueIsFullAndAdmitsOnceItDrains() throws Exception {
        HttpResponse<String> tuned = setInteractiveMaxDepth(2);
        assertThat(tuned.statusCode()).isEqualTo(200);
        assertThat(tuned.body()).contains("\"max_depth\":2");
        assertThat(submit().statusCode()).isEqualTo(202);
        assertThat(submit().statusCode()).isEqualTo(202);

        HttpResponse<String> refused =
                await().atMost(Duration.ofSeconds(10)).until(this::submit, r -> r.statusCode() == 429);
        assertThat(refused.headers().firstValue("Retry-After"))
                .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 120L));
        assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
        // The view is up to one sample old, so a few more may have been admitted before the refusal.
        assertThat(refused.body()).contains("\"code\":\"queue_full\"", "limit 2");

        emptyQueue(); // workers took everything
        await().atMost(Duration.ofSeconds(10)).until(this::submit, r -> r.statusCode() == 202);
    }

    @Test
    void aStaleLagFromRedisDoesNotRefuseWorkWhenNothingWaits() throws Exception {
        setInteractiveMaxDepth(4); // room for all three, whenever the next sample comes
        for (int i = 0; i < 3; i++) {
            assertThat(submit().statusCode()).isEqualTo(202);
        }
        emptyQueue(); // workers took everything
        // What an AOF reload did in the chaos suite: the group's read counter falls behind, so
        // XINFO GROUPS reports a lag although the group has delivered every entry.
        redis().dispatch(
                        io.lettuce.core.protocol.CommandType.XGROUP,
                        new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                        new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                                .add("SETID")
                                .addKey(RedisKeys.queue(Lane.INTERACTIVE))
                                .add(RedisKeys.WORKER_GROUP)
                                .add("$")
                                .add("ENTRIESREAD")
                                .add(0));
        assertThat(String.valueOf(redis().xinfoGroups(RedisKeys.queue(Lane.INTERACTIVE))))
                .doesNotContain("lag, 0");

        setInteractiveMaxDepth(2); // samples at once
        assertThat(submit().statusCode()).isEqualTo(202);
    }

    @Test
    void refusesAnUnknownLane() throws Exception {
        HttpResponse<String> response = send(request("/api/v1/query")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"1+1\",\"lane\":\"express\"}"))
                .build());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"code\":\"unknown_lane\"");
    }

    /** Enqueues a math query without waiting for its answer: 202 once the SSE stream has begun. */
    private HttpResponse<String> submit() throws Exception {
        HttpResponse<java.io.InputStream> response = http.send(
                request("/api/v1/query")
                        .header("Content-Type", "application/json")
                        .header("Accept", "text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"1+1\",\"agent_type\":\"math\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() == 200) {
            response.body().close(); // leave the stream; the job stays queued
            return new Fake(202, "", response);
        }
        String body = new String(response.body().readAllBytes());
        return new Fake(response.statusCode(), body, response);
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A response whose body was read (or abandoned) already. */
    private record Fake(int statusCode, String body, HttpResponse<?> original) implements HttpResponse<String> {
        @Override
        public HttpRequest request() {
            return original.request();
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return original.headers();
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return original.sslSession();
        }

        @Override
        public URI uri() {
            return original.uri();
        }

        @Override
        public HttpClient.Version version() {
            return original.version();
        }
    }
}
