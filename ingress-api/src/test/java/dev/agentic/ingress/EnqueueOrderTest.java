package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.JobQueue;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ingress opens a request before it queues the job. A worker blocked on the lane wakes the
 * moment the job is queued; it must find the request opened, with the ingress's relay channel, or
 * it opens the request itself (more commands) and the ingress, finding it opened, falls back to
 * joining the relays and reading the log (more again): at load that race was lost about 60 % of the
 * time (Redis MONITOR of the throughput benchmark).
 */
class EnqueueOrderTest extends RedisBackedTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aWorkerThatTakesTheJobAtOnceFindsItsRequestOpenedByTheIngress() throws Exception {
        JobQueue.ensureGroup(redis(), Lane.INTERACTIVE);
        try (StatefulRedisConnection<String, String> fastest = CLIENT.connect()) {
            for (int i = 0; i < 20; i++) {
                String query = "What is " + (4000 + i) + " + 2?";
                CompletableFuture<Taken> taken = CompletableFuture.supplyAsync(() -> takeAtOnce(fastest, query));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> redis().clientList().contains("cmd=xreadgroup"));
                CompletableFuture<HttpResponse<String>> answer = http.sendAsync(
                        request("/api/v1/query")
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"query\":\"" + query + "\",\"agent_type\":\"math\",\"cache\":false}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                Taken job = taken.get(10, TimeUnit.SECONDS);
                assertThat(job.opened())
                        .as(
                                "request %s opened, with a relay, when its job was taken",
                                job.job().id())
                        .isTrue();
                worker(job.job()).finish(new StreamEvent.Done(new Usage(1, 1, 0), "stop"), "4");
                assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        }
    }

    private record Taken(Job job, boolean opened) {}

    /** Reads the lane until the job of {@code query} comes, and looks at its request at once. */
    private static Taken takeAtOnce(StatefulRedisConnection<String, String> connection, String query) {
        while (true) {
            List<StreamMessage<String, String>> read =
                    JobQueue.read(connection.sync(), Lane.INTERACTIVE, "fastest", 1, Duration.ofSeconds(10), false);
            if (read.isEmpty()) {
                throw new AssertionError("no job within 10 s");
            }
            Job job = WireCodec.decodeJob(read.getFirst().getBody().get(RedisKeys.JOB_FIELD));
            String relays = connection.sync().hget(RedisKeys.request(job.id()), "relays");
            JobQueue.ack(connection.sync(), Lane.INTERACTIVE, read.getFirst().getId());
            if (job.query().equals(query)) {
                return new Taken(job, relays != null && !relays.isEmpty());
            }
        }
    }
}
