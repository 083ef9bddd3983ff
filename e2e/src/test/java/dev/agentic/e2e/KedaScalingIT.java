package dev.agentic.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.WireCodec;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KEDA's scaling decision for the workers, reproduced against a real stack: the ScaledObject's own
 * thresholds (k8s/base/worker-scaling.yaml), the lag read from Redis the way KEDA's scaler reads it,
 * the HPA's formula. A burst raises the replica count; a Redis restart (an AOF reload, after which
 * Redis reports the group's lag as NULL) hides the backlog no longer than the ingress's next
 * sample; once the worker drains the lane the count is back at the minimum; no request is lost.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KedaScalingIT {
    private static final int BURST = 120;

    @Test
    void theReplicaCountFollowsTheBacklogAcrossARedisRestartAndReturnsToTheMinimum() throws Exception {
        KedaScaler keda = KedaScaler.fromScaledObject(Stack.root().resolve("k8s/base/worker-scaling.yaml"));
        KedaScaler.Trigger interactive = keda.triggers().stream()
                .filter(t -> t.stream().endsWith(":interactive"))
                .findFirst()
                .orElseThrow();
        // one worker with one slot: while a long job holds it, everything else waits in the lane
        try (Stack stack = new Stack(1, 1, 1, List.of());
                HttpClient http = HttpClient.newHttpClient()) {
            var redis = stack.connection.sync();
            redis.configSet("appendfsync", "always"); // every accepted job on disk before the SIGKILL below
            String base = "http://127.0.0.1:" + stack.ingressPorts.getFirst();
            assertThat(keda.replicas(keda.read(redis))).as("idle").isEqualTo(keda.minReplicas());

            // A few served first: the group's last delivered entry is then neither the stream's first
            // nor its last, where Redis cannot derive its read counter again after a reload.
            for (int i = 0; i < 3; i++) {
                assertThat(http.send(query(base, 1000 + i), HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .isEqualTo(200);
            }
            CompletableFuture<HttpResponse<String>> holder = http.sendAsync(
                    post(base, "{\"query\":\"sleep 120000\",\"agent_type\":\"diagnostic\"}"),
                    HttpResponse.BodyHandlers.ofString());
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> pending(redis) == 1);
            String holderId = runningId(redis);

            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                answers.add(http.sendAsync(query(base, i), HttpResponse.BodyHandlers.ofString()));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> KedaScaler.lag(redis, interactive) == BURST);
            int expected = Math.clamp(
                    Math.ceilDiv(BURST, interactive.lagCount()), Math.max(1, keda.minReplicas()), keda.maxReplicas());
            assertThat(keda.replicas(keda.read(redis)))
                    .as("ceil(%d / lagCount %d)", BURST, interactive.lagCount())
                    .isEqualTo(expected)
                    .isGreaterThan(keda.minReplicas());

            stack.redis.restart(); // SIGKILL, then an AOF reload: Redis forgets the group's read counter
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .ignoreExceptions()
                    .until(() -> KedaScaler.lag(redis, interactive) == BURST);
            assertThat(stack.ingresses.getFirst().log())
                    .as("the ingress found the lag NULL after the reload and restored the counter")
                    .contains("Redis had lost its group's read counter");
            assertThat(keda.replicas(keda.read(redis)))
                    .as("after the restart, once the ingress restored the counter")
                    .isEqualTo(expected);

            // free the slot: the worker drains the burst
            HttpResponse<String> cancel = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/v1/queries/" + holderId))
                            .header("Authorization", "Bearer " + Stack.ADMIN_KEY)
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
            holder.get(60, TimeUnit.SECONDS);
            for (int i = 0; i < BURST; i++) {
                HttpResponse<String> answer = answers.get(i).get(150, TimeUnit.SECONDS);
                String body = answer.body();
                if (answer.statusCode() == 202) {
                    // a wait cut by the Redis restart: accepted, the answer is read from its status
                    body = QueryLoad.ended(http, base, Stack.ADMIN_KEY, QueryLoad.idOf(body));
                } else {
                    assertThat(answer.statusCode())
                            .as(body + "\n" + stack.logs())
                            .isEqualTo(200);
                }
                assertThat(body).contains("Result: " + (i + 2));
            }
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> keda.replicas(keda.read(redis)) == keda.minReplicas());
            assertThat(keda.read(redis)).allSatisfy(r -> assertThat(r.active()).isFalse());
        }
    }

    private static long pending(RedisCommands<String, String> redis) {
        return redis.xpending(RedisKeys.queue(Lane.INTERACTIVE), RedisKeys.WORKER_GROUP)
                .getCount();
    }

    /** The request of the lane's one pending entry: the job holding the worker's slot. */
    private static String runningId(RedisCommands<String, String> redis) {
        String queue = RedisKeys.queue(Lane.INTERACTIVE);
        String entry = redis.xpending(queue, RedisKeys.WORKER_GROUP, Range.create("-", "+"), Limit.from(1))
                .getFirst()
                .getId();
        return WireCodec.decodeJob(redis.xrange(queue, Range.create(entry, entry))
                        .getFirst()
                        .getBody()
                        .get(RedisKeys.JOB_FIELD))
                .id();
    }

    private static HttpRequest query(String base, int n) {
        return post(base, "{\"query\":\"What is " + n + " + 2?\",\"agent_type\":\"math\"}");
    }

    private static HttpRequest post(String base, String body) {
        return HttpRequest.newBuilder(URI.create(base + "/api/v1/query"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + Stack.ADMIN_KEY)
                .header("Cache-Control", "no-cache")
                .timeout(Duration.ofSeconds(150))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }
}
