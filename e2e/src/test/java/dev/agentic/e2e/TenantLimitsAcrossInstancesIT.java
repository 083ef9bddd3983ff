package dev.agentic.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.testsupport.FreePorts;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.testsupport.ServiceProcess;
import dev.agentic.testsupport.SseClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-tenant limits hold across two real ingress processes sharing one redis-server: the stream
 * limit (held beyond the lease while streams are open), the rate limit and live changes through the
 * admin API; a killed ({@code kill -9}) ingress gives its stream permits back within the lease. One worker serves the interactive lane only, so
 * batch queries stay queued and their streams stay open as long as a test needs them.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TenantLimitsAcrossInstancesIT {
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String WAITING = "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\",\"lane\":\"batch\"}";

    private static RedisServer redis;
    private static ServiceProcess worker;
    private static Path logs;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ServiceProcess> ingresses = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final List<SseClient.Stream> open = new ArrayList<>();
    /** Each test's own tenant, so nothing one test leaves in Redis touches the next. */
    private String tenant = "public";
    /** Each test's bootstrap key: an admin key of the test's tenant (queries and limits alike). */
    private String key = "";

    @BeforeAll
    static void startRedisAndWorker() throws IOException {
        logs = Files.createTempDirectory("agentic-limits-");
        redis = RedisServer.start(true, List.of());
        int port = FreePorts.next();
        worker = ServiceProcess.startJar(
                        "worker",
                        jar("worker"),
                        List.of(
                                "--server.port=" + port,
                                "--agentic.redis.uri=" + redis.uri(),
                                "--agentic.worker.name=worker-limits",
                                "--agentic.worker.lanes=interactive",
                                "--agentic.usage.prices.math.input=1000",
                                "--agentic.usage.prices.math.output=2000"),
                        Map.of(),
                        logs)
                .awaitHealthy("http://127.0.0.1:" + port + "/actuator/health/readiness", START_TIMEOUT);
    }

    @AfterAll
    static void stopRedisAndWorker() {
        if (worker != null) {
            worker.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void startTwoIngresses() {
        tenant = "t" + System.nanoTime();
        key = "agk_" + String.format("%016x", System.nanoTime()) + "_limits-e2e-secret-0123456789";
        for (int i = 1; i <= 2; i++) {
            int port = FreePorts.next();
            ports.add(port);
            ingresses.add(ServiceProcess.startJar(
                    "ingress-" + i,
                    jar("ingress-api"),
                    List.of(
                            "--server.port=" + port,
                            "--agentic.redis.uri=" + redis.uri(),
                            "--agentic.security.bootstrap-key=" + key,
                            "--agentic.security.bootstrap-tenant=" + tenant,
                            "--agentic.ingress.heartbeat=1s",
                            "--agentic.limits.stream-lease=" + LEASE.toSeconds() + "s",
                            "--agentic.limits.refresh-interval=500ms"),
                    Map.of(),
                    logs));
        }
        for (int i = 0; i < 2; i++) {
            ingresses.get(i).awaitHealthy(url(i, "/api/v1/monitoring/ready"), START_TIMEOUT);
        }
    }

    @AfterEach
    void stopIngresses() {
        open.forEach(SseClient.Stream::close);
        ingresses.forEach(ServiceProcess::close);
    }

    @Test
    void streamLimitHoldsAcrossInstancesAndAKilledInstanceGivesItsPermitsBackWithinTheLease() throws Exception {
        setTenantLimits(0, "{\"max_streams\":3}");
        awaitLimitOnBoth("\"max_streams\":3,");
        assertThat(stream(0).status()).isEqualTo(200);
        assertThat(stream(0).status()).isEqualTo(200);
        assertThat(stream(1).status()).isEqualTo(200);

        for (int instance = 0; instance < 2; instance++) {
            SseClient.Stream refused = stream(instance);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.bodyText()).contains("\"code\":\"too_many_streams\"");
            assertThat(refused.header("Retry-After")).isNotNull();
        }

        // Open streams keep their permits beyond the lease: their instances renew them.
        await().during(LEASE.multipliedBy(2))
                .atMost(LEASE.multipliedBy(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> stream(1).status() == 429);

        long killedAt = System.nanoTime();
        ingresses.get(0).kill(); // kill -9: its two permits are never released, only no longer renewed
        for (int permit = 1; permit <= 2; permit++) {
            // Each comes back when its lease (last renewed up to a third of it before the kill) runs out.
            await().atMost(LEASE.plusSeconds(2))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> stream(1).status() == 200);
            System.out.printf(
                    "stream permit %d of a killed ingress came back after %d ms (lease %s)%n",
                    permit, (System.nanoTime() - killedAt) / 1_000_000, LEASE);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(LEASE.plusSeconds(2));
        assertThat(stream(1).status()).isEqualTo(429);
    }

    @Test
    void rateLimitHoldsAcrossInstancesWithRetryAfterAndRateLimitHeaders() throws Exception {
        setTenantLimits(1, "{\"rate_per_second\":1,\"burst\":4}");
        awaitLimitOnBoth("\"rate_per_second\":1,");

        for (int i = 0; i < 4; i++) {
            SseClient.Stream admitted = stream(i % 2);
            assertThat(admitted.status()).isEqualTo(200);
            assertThat(admitted.header("RateLimit-Policy")).isEqualTo("\"burst\";q=4;w=4");
            // t: seconds until the whole quota is back, one place per second (GCRA).
            assertThat(admitted.header("RateLimit")).isEqualTo("\"burst\";r=" + (3 - i) + ";t=" + (i + 1));
        }
        for (int instance = 0; instance < 2; instance++) {
            SseClient.Stream refused = stream(instance);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.bodyText()).contains("\"code\":\"rate_limited\"");
            long retryAfter = Long.parseLong(refused.header("Retry-After"));
            assertThat(retryAfter).isBetween(1L, 4L);
            assertThat(refused.header("RateLimit")).isEqualTo("\"burst\";r=0;t=" + retryAfter);
        }
    }

    @Test
    void aLimitChangedThroughOneInstanceAppliesOnTheOtherWithinSeconds() throws Exception {
        assertThat(stream(1).status()).isEqualTo(200);
        assertThat(stream(1).status()).isEqualTo(200);

        long changedAt = System.nanoTime();
        setTenantLimits(0, "{\"max_streams\":2}");
        await().atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> stream(1).status() == 429);
        System.out.printf(
                "a limit set through ingress-1 applied on ingress-2 after %d ms%n",
                (System.nanoTime() - changedAt) / 1_000_000);

        HttpResponse<String> removed = send(admin(0, "DELETE", "/api/v1/admin/limits/tenants/" + tenant, null));
        assertThat(removed.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(3)).until(() -> stream(1).status() == 200);
    }

    @Test
    void usageOfAQueryAnsweredThroughOneInstanceIsReportedByTheOtherOnce() throws Exception {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(url(0, "/api/v1/query")))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}"))
                .build());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        // 3 tokens in, 4 out, priced from the worker's table: 3 * 1000 / 1e6 + 4 * 2000 / 1e6 USD
        assertThat(answer.body()).contains("\"cost_usd\":0.011", "\"tokens_in\":3", "\"tokens_out\":4");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> send(HttpRequest.newBuilder(URI.create(url(1, "/api/v1/usage")))
                                .header("Authorization", "Bearer " + key)
                                .GET()
                                .build())
                        .body()
                        .contains("\"total\":{\"requests\":1,\"tokens_in\":3,\"tokens_out\":4,\"cost_usd\":0.011}"));
    }

    private void awaitLimitOnBoth(String fragment) {
        for (int instance = 0; instance < 2; instance++) {
            int i = instance;
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> send(admin(i, "GET", "/api/v1/admin/limits/tenants/" + tenant, null))
                            .body()
                            .contains(fragment));
        }
    }

    private void setTenantLimits(int instance, String json) throws Exception {
        HttpResponse<String> response = send(admin(instance, "PUT", "/api/v1/admin/limits/tenants/" + tenant, json));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private SseClient.Stream stream(int instance) {
        SseClient.Stream stream =
                SseClient.post(url(instance, "/api/v1/query"), WAITING, Map.of("Authorization", "Bearer " + key));
        open.add(stream);
        return stream;
    }

    private HttpRequest admin(int instance, String method, String path, String json) {
        return HttpRequest.newBuilder(URI.create(url(instance, path)))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static Path jar(String module) {
        String version = System.getProperty("agentic.version", "0.1.0-SNAPSHOT");
        return Stack.root().resolve(module + "/target/" + module + "-" + version + "-exec.jar");
    }

    private String url(int instance, String path) {
        return "http://127.0.0.1:" + ports.get(instance) + path;
    }
}
