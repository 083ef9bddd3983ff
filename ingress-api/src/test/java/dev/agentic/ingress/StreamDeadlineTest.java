package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import io.lettuce.core.StreamMessage;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every stream and JSON wait ends by the request's deadline plus the terminal grace (1 s in these
 * tests), even when no worker ever writes a terminal event: the ingress ends the request itself.
 */
class StreamDeadlineTest extends RedisBackedTest {
    /** Far above deadline + grace (about 2.5 s here), far below "never". */
    private static final long ENDS_WITHIN_SECONDS = 20;

    private static final String SHORT_QUERY =
            "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\",\"timeout_ms\":1500}";

    private final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    MeterRegistry meters;

    @AfterEach
    void permitsComeBack() {
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        meters.get("agentic.ingress.stream.permits").gauge().value() == 0);
    }

    @Test
    void sseStreamOfARequestNoWorkerAnswersEndsByItsDeadlineWithOneError() throws Exception {
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), SHORT_QUERY, auth())) {
            Job job = takeJob(); // taken by a worker that never answers
            List<Frame> frames = drainWithin(stream);

            assertThat(frames).extracting(Frame::event).containsExactly("queued", "error");
            assertThat(frames.get(1).data()).contains("\"code\":\"deadline_exceeded\"");
            assertThat(frames.get(1).id()).isNotNull();
            assertOneTerminalInLog(job.id(), "error");
        }
    }

    @Test
    void resumedStreamOfARequestNoWorkerAnswersEndsByItsDeadline() throws Exception {
        Job job = openedRequest(1500);
        try (SseClient.Stream stream = SseClient.get(url("/api/v1/queries/" + job.id() + "/events"), auth())) {
            assertThat(stream.status()).isEqualTo(200);
            List<Frame> frames = drainWithin(stream);

            assertThat(frames).extracting(Frame::event).containsExactly("queued", "error");
            assertThat(frames.get(1).data()).contains("\"code\":\"deadline_exceeded\"");
            assertOneTerminalInLog(job.id(), "error");
        }
    }

    @Test
    void jsonWaitOfARequestNoWorkerAnswersEndsByItsDeadlineWithTheId() throws Exception {
        CompletableFuture<HttpResponse<String>> response = http.sendAsync(
                request("/api/v1/query")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(SHORT_QUERY))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Job job = takeJob();

        HttpResponse<String> answer = response.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(504);
        assertThat(answer.body()).contains("\"code\":\"deadline_exceeded\"", job.id());
        assertOneTerminalInLog(job.id(), "error");
    }

    @Test
    void streamOfARequestWhoseLogIsGoneEndsWithRequestExpired() throws Exception {
        Job job = openedRequest(1500);
        try (SseClient.Stream stream = SseClient.get(url("/api/v1/queries/" + job.id() + "/events"), auth())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.next()).extracting(Frame::event).isEqualTo("queued");
            redis().del(RedisKeys.request(job.id()), RedisKeys.events(job.id())); // expired, Redis lost it, ...
            List<Frame> frames = drainWithin(stream);

            assertThat(frames).extracting(Frame::event).containsExactly("error");
            assertThat(frames.get(0).data()).contains("\"code\":\"request_expired\"");
        }
    }

    /** A request as the ingress opens it, with no job on any queue: nobody will ever answer it. */
    private Job openedRequest(long timeoutMs) {
        long now = System.currentTimeMillis();
        Job job = new Job(
                Job.CURRENT_VERSION,
                RequestId.newId(),
                "public",
                "math",
                "What is 2+2?",
                null,
                Lane.INTERACTIVE,
                now,
                now + timeoutMs,
                null);
        log.open(job);
        return job;
    }

    private static List<Frame> drainWithin(SseClient.Stream stream) throws Exception {
        return CompletableFuture.supplyAsync(stream::drain).get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
    }

    private static void assertOneTerminalInLog(String id, String type) {
        List<StreamMessage<String, String>> entries =
                redis().xrange(RedisKeys.events(id), io.lettuce.core.Range.create("-", "+"));
        assertThat(entries)
                .extracting(e -> e.getBody().get(RedisKeys.EVENT_TYPE_FIELD))
                .filteredOn(t -> t.equals("done") || t.equals("error"))
                .containsExactly(type);
        assertThat(redis().hget(RedisKeys.request(id), RedisKeys.STATUS_FIELD)).isEqualTo(type);
    }
}
