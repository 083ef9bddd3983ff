package dev.agentic.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Offers about twice what the workers can serve, through Nginx, for a while: requests over the
 * queue threshold must be refused with 429 and Retry-After, none may get a 5xx, and every admitted
 * one must complete. Prints the figures (docs/benchmarks.md).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OverloadIT {
    private static final int WORKER_CONCURRENCY = 4;
    private static final Duration JOB = Duration.ofMillis(500);
    /** Jobs per second the single worker can finish. */
    private static final double CAPACITY = WORKER_CONCURRENCY * 1000.0 / JOB.toMillis();

    private static final double OFFERED = 2 * CAPACITY;
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("overload.seconds", 20));

    private record Outcome(int status, long millis, String body, String retryAfter) {}

    @Test
    void twiceTheCapacityGetsRefusalsWithRetryAfterNoServerErrorsAndAdmittedRequestsComplete() throws Exception {
        try (Stack stack =
                new Stack(2, 1, WORKER_CONCURRENCY, List.of("--agentic.admission.interactive-max-depth=8"))) {
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newVirtualThreadPerTaskExecutor())
                    .build();
            String body =
                    "{\"query\":\"sleep " + JOB.toMillis() + "\",\"agent_type\":\"diagnostic\",\"timeout_ms\":60000}";
            List<CompletableFuture<Outcome>> sent = Collections.synchronizedList(new ArrayList<>());
            long total = Math.round(OFFERED * RUN.toSeconds());
            long intervalNanos = Math.round(1e9 / OFFERED);
            ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
            try {
                // Open loop: arrivals at a fixed rate, whatever the answers take.
                for (long i = 0; i < total; i++) {
                    pacer.schedule(
                            () -> sent.add(send(http, stack.url("/api/v1/query"), body)),
                            i * intervalNanos,
                            TimeUnit.NANOSECONDS);
                }
                pacer.shutdown();
                assertThat(pacer.awaitTermination(RUN.toSeconds() + 30, TimeUnit.SECONDS))
                        .isTrue();
            } finally {
                pacer.shutdownNow();
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (CompletableFuture<Outcome> future : sent) {
                outcomes.add(future.get(90, TimeUnit.SECONDS));
            }

            Map<Integer, Integer> byStatus = new TreeMap<>();
            outcomes.forEach(o -> byStatus.merge(o.status(), 1, Integer::sum));
            List<Outcome> admitted =
                    outcomes.stream().filter(o -> o.status() == 200).toList();
            List<Outcome> refused =
                    outcomes.stream().filter(o -> o.status() == 429).toList();
            System.out.printf(
                    "overload: capacity %.1f/s, offered %.1f/s for %d s = %d requests; by status %s;%n"
                            + "  admitted %d (%.1f/s), latency p50 %d ms p99 %d ms; refused %d, latency p50 %d ms p99 %d ms%n",
                    CAPACITY,
                    OFFERED,
                    RUN.toSeconds(),
                    outcomes.size(),
                    byStatus,
                    admitted.size(),
                    admitted.size() / (double) RUN.toSeconds(),
                    percentile(admitted, 50),
                    percentile(admitted, 99),
                    refused.size(),
                    percentile(refused, 50),
                    percentile(refused, 99));

            assertThat(outcomes).hasSize((int) total);
            assertThat(byStatus.keySet())
                    .as("only 200 and 429; never a 5xx\n" + stack.logs())
                    .isSubsetOf(200, 429);
            assertThat(refused).as("twice the capacity must be refused in part").isNotEmpty();
            assertThat(admitted).as("and served in part").isNotEmpty();
            assertThat(refused).allSatisfy(o -> {
                assertThat(o.body()).containsAnyOf("\"code\":\"queue_full\"", "\"code\":\"deadline_unreachable\"");
                assertThat(o.retryAfter()).matches("[1-9][0-9]*");
            });
            assertThat(admitted).allSatisfy(o -> assertThat(o.body()).contains("\"finish_reason\":\"stop\""));
        }
    }

    private static CompletableFuture<Outcome> send(HttpClient http, String url, String body) {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + Stack.ADMIN_KEY)
                .timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Outcome(
                        r.statusCode(),
                        (System.nanoTime() - start) / 1_000_000,
                        r.body(),
                        r.headers().firstValue("retry-after").orElse("")));
    }

    private static long percentile(List<Outcome> outcomes, int p) {
        if (outcomes.isEmpty()) {
            return 0;
        }
        List<Long> sorted = outcomes.stream().map(Outcome::millis).sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
