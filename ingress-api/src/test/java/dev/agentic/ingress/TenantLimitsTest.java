package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.UsageLedger;
import dev.agentic.testsupport.SseClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Per-tenant rate, stream and budget limits in one ingress against a real Redis (the limits across
 * two ingress processes are in the e2e module's {@code TenantLimitsAcrossInstancesIT}). Its tenant is
 * its own, and it changes only that tenant's live values, since other test classes share this Redis.
 */
class TenantLimitsTest extends RedisBackedTest {
    static final String TENANT = "limits-test";
    private static final String QUERY = "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}";

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<SseClient.Stream> open = new ArrayList<>();

    @DynamicPropertySource
    static void tenant(DynamicPropertyRegistry registry) {
        registry.add("agentic.limits.refresh-interval", () -> "200ms");
    }

    @AfterEach
    void reset() throws Exception {
        open.forEach(SseClient.Stream::close);
        send(admin("DELETE", "/api/v1/admin/limits/tenants/" + TENANT, null));
        redis().del(
                        RedisKeys.rateLimiter(TENANT),
                        RedisKeys.streamPermits(TENANT),
                        RedisKeys.usageDay(TENANT, today().toString()),
                        RedisKeys.usageMonth(TENANT, today().toString().substring(0, 7)));
        JobQueue.ensureGroup(redis(), Lane.INTERACTIVE);
        JobQueue.read(redis(), Lane.INTERACTIVE, "test-worker", 10_000, Duration.ZERO, false)
                .forEach(m -> JobQueue.ack(redis(), Lane.INTERACTIVE, m.getId()));
    }

    @Test
    void refusesOverTheRateWith429RetryAfterAndRateLimitHeaders() throws Exception {
        setLimits("{\"rate_per_second\":1,\"burst\":3}");

        List<String> states = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SseClient.Stream stream = stream();
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("RateLimit-Policy")).isEqualTo("\"burst\";q=3;w=3");
            states.add(stream.header("RateLimit"));
        }
        // t: seconds until all of the quota is back (one place per second).
        assertThat(states).containsExactly("\"burst\";r=2;t=1", "\"burst\";r=1;t=2", "\"burst\";r=0;t=3");

        HttpResponse<String> refused = post();
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(refused.body()).contains("\"code\":\"rate_limited\"", "\"limit\":3", "\"window_seconds\":3");
        long retryAfter =
                Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 3L);
        assertThat(refused.headers().firstValue("RateLimit-Policy")).hasValue("\"burst\";q=3;w=3");
        assertThat(refused.headers().firstValue("RateLimit")).hasValue("\"burst\";r=0;t=" + retryAfter);

        // One place frees per second on average: after Retry-After a query is admitted again.
        await().atMost(Duration.ofSeconds(retryAfter + 2)).until(() -> stream().status() == 200);
    }

    @Test
    void refusesStreamsOverTheLimitIncludingResumesAndAdmitsAgainWhenOneEnds() throws Exception {
        setLimits("{\"max_streams\":2}");
        SseClient.Stream first = stream();
        SseClient.Stream second = stream();
        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);

        HttpResponse<String> refused = post();
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("\"code\":\"too_many_streams\"", "\"max_streams\":2");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
        SseClient.Stream resume =
                SseClient.get(url("/api/v1/queries/" + first.header("X-Request-Id") + "/events"), tenantAuth());
        assertThat(resume.status()).isEqualTo(429);
        resume.close();

        first.close(); // noticed at the next heartbeat (300 ms here), which releases its permit
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            SseClient.Stream again = stream();
            return again.status() == 200;
        });
    }

    @Test
    void refusesATenantOverItsDailyBudgetWith402BeforeAnythingIsQueued() throws Exception {
        setLimits("{\"daily_budget_usd\":0.5}");
        new UsageLedger(CONNECTION, Duration.ofDays(1))
                .record(TENANT, "general", "0123456789abcdef0123456789abcdef", today(), new Usage(10, 20, 0.6));

        HttpResponse<String> refused = post();

        assertThat(refused.statusCode()).isEqualTo(402);
        assertThat(refused.body())
                .contains(
                        "\"code\":\"budget_exceeded\"",
                        "\"period\":\"day\"",
                        "\"spent_usd\":0.6",
                        "\"limit_usd\":0.5",
                        "\"resets_at\":\"" + today().plusDays(1) + "T00:00:00Z\"");
        setLimits("{\"daily_budget_usd\":1.0}");
        assertThat(stream().status()).isEqualTo(200);
    }

    @Test
    void documentsCountAgainstTheBudgetToo() throws Exception {
        setLimits("{\"daily_budget_usd\":0.5}");
        new UsageLedger(CONNECTION, Duration.ofDays(1))
                .record(TENANT, "ingest", "0123456789abcdef0123456789abcd01", today(), new Usage(10, 0, 0.6));

        HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(url("/api/v1/documents?id=d1")))
                .header("Authorization", "Bearer " + tenantKey())
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("some words"))
                .build());

        assertThat(refused.statusCode()).isEqualTo(402);
        assertThat(refused.body()).contains("\"code\":\"budget_exceeded\"");
    }

    @Test
    void aNullValueRemovesAnOverrideAndAnUnknownOneIsRefused() throws Exception {
        setLimits("{\"burst\":3,\"max_streams\":7}");
        HttpResponse<String> removed = setLimits("{\"burst\":null}");
        assertThat(removed.body()).contains("\"max_streams\":7").doesNotContain("\"burst\":3");
        HttpResponse<String> unknown = send(admin("PUT", "/api/v1/admin/limits/tenants/" + TENANT, "{\"speed\":null}"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("\"code\":\"invalid_limit\"", "speed");
    }

    @Test
    void refusesATenantOverItsMonthlyBudgetUntilTheNextMonth() throws Exception {
        setLimits("{\"monthly_budget_usd\":1}");
        new UsageLedger(CONNECTION, Duration.ofDays(1))
                .record(TENANT, "general", "0123456789abcdef0123456789abcde0", today(), new Usage(1, 1, 1.0));

        HttpResponse<String> refused = post();

        assertThat(refused.statusCode()).isEqualTo(402);
        assertThat(refused.body())
                .contains(
                        "\"period\":\"month\"",
                        "\"limit_usd\":1.0",
                        "\"resets_at\":\"" + today().withDayOfMonth(1).plusMonths(1) + "T00:00:00Z\"");
    }

    @Test
    void anAdmittedJsonAnswerCarriesTheRateLimitFieldsToo() throws Exception {
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(
                HttpRequest.newBuilder(URI.create(url("/api/v1/query")))
                        .header("Authorization", "Bearer " + tenantKey())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(QUERY))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Job job = takeJob();
        worker(job).finish(new StreamEvent.Done(new Usage(3, 4, 0), "stop"), "4");

        HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("RateLimit-Policy")).hasValue("\"burst\";q=200;w=2");
        assertThat(response.headers().firstValue("RateLimit"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("\"burst\";r="));
    }

    @Test
    void answersTheTenantsUsagePerDayAndAgentWithTotals() throws Exception {
        UsageLedger ledger = new UsageLedger(CONNECTION, Duration.ofDays(1));
        LocalDate today = today();
        ledger.record(TENANT, "math", "00000000000000000000000000000001", today, new Usage(3, 4, 0));
        ledger.record(TENANT, "math", "00000000000000000000000000000001", today, new Usage(3, 4, 0)); // again: once
        ledger.record(TENANT, "general", "00000000000000000000000000000002", today, new Usage(10, 20, 0.25));

        HttpResponse<String> usage = get("/api/v1/usage?from=" + today.minusDays(3) + "&to=" + today);

        assertThat(usage.statusCode()).isEqualTo(200);
        assertThat(usage.body())
                .contains(
                        "\"tenant\":\"" + TENANT + "\"",
                        "{\"date\":\"" + today
                                + "\",\"agents\":{\"general\":{\"requests\":1,\"tokens_in\":10,\"tokens_out\":20,\"cost_usd\":0.25},\"math\":{\"requests\":1,\"tokens_in\":3,\"tokens_out\":4,\"cost_usd\":0.0}}",
                        "\"total\":{\"requests\":2,\"tokens_in\":13,\"tokens_out\":24,\"cost_usd\":0.25}");
        assertThat(get("/api/v1/usage?from=2026-13-01").body()).contains("\"code\":\"invalid_date\"");
        assertThat(get("/api/v1/usage?from=2024-01-01&to=2025-12-31").statusCode())
                .isEqualTo(400);
        assertThat(get("/api/v1/usage?from=2025-01-02&to=2025-01-01").body()).contains("\"code\":\"invalid_range\"");
    }

    @Test
    void adminLimitsNeedAKeyAndRejectBadValues() throws Exception {
        assertThat(send(HttpRequest.newBuilder(URI.create(url("/api/v1/admin/limits")))
                                .GET()
                                .build())
                        .statusCode())
                .isEqualTo(401);
        HttpResponse<String> bad = send(admin("PUT", "/api/v1/admin/limits/tenants/" + TENANT, "{\"max_streams\":-1}"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("\"code\":\"invalid_limit\"");
        assertThat(send(admin("PUT", "/api/v1/admin/limits/tenants/" + TENANT, "{\"speed\":3}"))
                        .statusCode())
                .isEqualTo(400);
        assertThat(send(admin("PUT", "/api/v1/admin/limits/tenants/a%7Bb", "{\"burst\":3}"))
                        .statusCode())
                .isEqualTo(400);
        HttpResponse<String> set = setLimits("{\"max_streams\":7,\"daily_budget_usd\":2.5}");
        assertThat(set.body()).contains("\"max_streams\":7", "\"daily_budget_usd\":2.5");
        assertThat(send(admin("GET", "/api/v1/admin/limits", null)).body())
                .contains("\"" + TENANT + "\":{\"daily_budget_usd\":\"2.5\",\"max_streams\":\"7\"}");
    }

    private static String tenantKey;

    /** A key of this test's own tenant, with the user role. */
    private String tenantKey() {
        if (tenantKey == null) {
            tenantKey = createKey(TENANT, "user,ingest", "*");
        }
        return tenantKey;
    }

    private Map<String, String> tenantAuth() {
        return Map.of("Authorization", "Bearer " + tenantKey());
    }

    private SseClient.Stream stream() {
        SseClient.Stream stream = SseClient.post(url("/api/v1/query"), QUERY, tenantAuth());
        open.add(stream);
        return stream;
    }

    private HttpResponse<String> post() throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url("/api/v1/query")))
                .header("Authorization", "Bearer " + tenantKey())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(QUERY))
                .build());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + tenantKey())
                .GET()
                .build());
    }

    private HttpResponse<String> setLimits(String json) throws Exception {
        HttpResponse<String> response = send(admin("PUT", "/api/v1/admin/limits/tenants/" + TENANT, json));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    private HttpRequest admin(String method, String path, String json) {
        return HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }
}
