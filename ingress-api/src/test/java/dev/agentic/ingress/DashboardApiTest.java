package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.ingress.admission.QueueMonitor;
import dev.agentic.ingress.dashboard.RefusalTotals;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.redis.AttemptWriter;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What the dashboard reads: the caller's key, the live overview (once and streamed), recent requests, replays. */
@Timeout(60)
class DashboardApiTest extends RedisBackedTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<InputStream> streams = new ArrayList<>();

    @Autowired
    QueueMonitor monitor;

    @Autowired
    RefusalTotals refusalTotals;

    @AfterEach
    void closeStreams() throws Exception {
        for (InputStream stream : streams) {
            stream.close();
        }
        redis().del(RedisKeys.WORKERS, RedisKeys.worker("w-dash-1"), RedisKeys.RECENT_REQUESTS);
    }

    private JsonNode get(String path, String key) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(java.net.URI.create(url(path)))
                        .header("Authorization", "Bearer " + key)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void meTellsAKeyItsTenantRolesAndTheAgentsItMayUseHere() throws Exception {
        String key = createKey("dash-tenant", "user,ingest", "math,no-such-agent");
        JsonNode me = get("/api/v1/me", key);
        assertThat(me.get("tenant").stringValue()).isEqualTo("dash-tenant");
        assertThat(key).startsWith("agk_" + me.get("key_id").stringValue() + "_");
        assertThat(me.get("roles").valueStream().map(JsonNode::stringValue)).containsExactly("ingest", "user");
        assertThat(me.get("agents").valueStream().map(JsonNode::stringValue)).containsExactly("math");
    }

    @Test
    void theOverviewShowsLanesLiveWorkersDeadLettersAndRefusalsOfEveryInstance() throws Exception {
        long now = System.currentTimeMillis();
        redis().zadd(RedisKeys.WORKERS, now - 1500, "w-dash-1");
        redis().setex(
                        RedisKeys.worker("w-dash-1"),
                        30,
                        "{\"inflight\":2,\"concurrency\":8,\"busy\":3,\"stuck\":1,\"jobs_done\":41,\"version\":\"9.9\"}");
        redis().zadd(RedisKeys.WORKERS, now, "w-dash-gone"); // listed, but its heartbeat key expired
        redis().hset(RedisKeys.INGRESS_REFUSALS, "rate_limited", "5");
        monitor.sampleNow();
        // The overview is read again once half an interval old (another stream may have just read it).
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() ->
                        get("/api/v1/admin/overview", ADMIN_KEY).get("workers").size() == 2);

        JsonNode overview = get("/api/v1/admin/overview", ADMIN_KEY);

        assertThat(overview.get("lanes").propertyNames()).contains("interactive", "batch");
        JsonNode interactive = overview.get("lanes").get("interactive");
        for (String field : List.of("depth", "lag", "pending", "max_depth", "drain_per_second", "delivered")) {
            assertThat(interactive.has(field)).as(field).isTrue();
        }
        JsonNode workers = overview.get("workers");
        assertThat(workers.valueStream().map(w -> w.get("name").stringValue()))
                .containsExactly("w-dash-1", "w-dash-gone");
        assertThat(workers.get(1).get("silent").booleanValue())
                .as("its heartbeat key expired")
                .isTrue();
        JsonNode worker = workers.get(0);
        assertThat(worker.get("silent").booleanValue()).isFalse();
        assertThat(worker.get("heartbeat_age_ms").longValue()).isBetween(1500L, 60_000L);
        assertThat(worker.get("busy").longValue()).isEqualTo(3);
        assertThat(worker.get("jobs_done").longValue()).isEqualTo(41);
        assertThat(worker.get("version").stringValue()).isEqualTo("9.9");
        assertThat(overview.get("dead_letters").longValue()).isEqualTo(redis().xlen(RedisKeys.DEAD_LETTERS));
        assertThat(overview.get("refused").get("rate_limited").longValue()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aRefusalHereIsAddedToTheTotalsOfEveryInstance() throws Exception {
        String key = createKey("dash-refused", "user", "*");
        String before = redis().hget(RedisKeys.INGRESS_REFUSALS, "rate_limited");
        // A refusal of the real intake: a tenant limited to one request per minute asks twice.
        http.send(
                request("/api/v1/admin/limits/tenants/dash-refused")
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(
                                "{\"rate_per_second\":1,\"burst\":1,\"rate_per_minute\":1}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        int tooMany = 0;
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> query = http.send(
                    HttpRequest.newBuilder(java.net.URI.create(url("/api/v1/query")))
                            .header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"query\":\"1+1\",\"agent_type\":\"math\",\"timeout_ms\":1000}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            tooMany += query.statusCode() == 429 ? 1 : 0;
        }
        assertThat(tooMany).isPositive();
        for (int i = 0; i < 3 - tooMany; i++) {
            takeJob(); // the accepted ones: no other test may take them for its own
        }
        refusalTotals.push();
        long after = Long.parseLong(redis().hget(RedisKeys.INGRESS_REFUSALS, "rate_limited"));
        assertThat(after - (before == null ? 0 : Long.parseLong(before))).isGreaterThanOrEqualTo(tooMany);
    }

    @Test
    void theOverviewStreamSendsOneSampleAfterAnother() throws Exception {
        BufferedReader events = openStream(ADMIN_KEY);
        JsonNode first = nextOverview(events);
        JsonNode second = nextOverview(events);
        assertThat(first.has("lanes")).isTrue();
        assertThat(second.has("workers")).isTrue();
        assertThat(second.get("at_ms").longValue())
                .isGreaterThan(first.get("at_ms").longValue());
    }

    @Test
    void anInstanceHoldsAtMostItsMaximumOfOverviewStreams() throws Exception {
        int opened = 0;
        HttpResponse<InputStream> response;
        do {
            response = http.send(streamRequest(ADMIN_KEY), HttpResponse.BodyHandlers.ofInputStream());
            streams.add(response.body());
            opened += response.statusCode() == 200 ? 1 : 0;
        } while (response.statusCode() == 200 && opened <= 16);
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
                .contains("\"code\":\"too_many_overview_streams\"");
        assertThat(opened).isPositive().isLessThanOrEqualTo(16);
        for (InputStream stream : streams) {
            stream.close();
        }
        streams.clear();
        // A closed stream's slot comes back at its next send (within a second or two).
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int status;
        do {
            HttpResponse<InputStream> again =
                    http.send(streamRequest(ADMIN_KEY), HttpResponse.BodyHandlers.ofInputStream());
            streams.add(again.body());
            status = again.statusCode();
        } while (status != 200 && System.nanoTime() < deadline);
        assertThat(status).isEqualTo(200);
    }

    @Test
    void recentRequestsAreListedNewestFirstAndTheirCountIsBounded() throws Exception {
        redis().lpush(
                        RedisKeys.RECENT_REQUESTS,
                        "{\"id\":\"a\",\"status\":\"done\"}",
                        "not json",
                        "{\"id\":\"b\",\"status\":\"error\"}",
                        "[1,2]",
                        "{\"no_id\":true}");
        JsonNode recent = get("/api/v1/admin/requests?count=10", ADMIN_KEY);
        assertThat(recent.get("requests").valueStream().map(r -> r.get("id").stringValue()))
                .containsExactly("b", "a");
        JsonNode newest = get("/api/v1/admin/requests?count=3", ADMIN_KEY);
        assertThat(newest.get("requests").valueStream().map(r -> r.get("id").stringValue()))
                .containsExactly("b");
        HttpResponse<String> tooMany =
                http.send(request("/api/v1/admin/requests?count=100000").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(tooMany.body()).contains("\"code\":\"invalid_count\"");
    }

    @Test
    void anOperatorReplaysAnyTenantsRequestWithItsRestartBoundaries() throws Exception {
        long now = System.currentTimeMillis();
        Job job = new Job(
                1, RequestId.newId(), "other-tenant", "math", "2+2", null, Lane.INTERACTIVE, now, now + 60_000, null);
        assertThat(log.open(job)).isTrue();
        AttemptWriter first = log.attempt(job.id(), 1, Duration.ZERO);
        first.append(new StreamEvent.Token("partial"));
        AttemptWriter second = log.attempt(job.id(), 2, Duration.ZERO);
        second.append(List.of(new StreamEvent.Restart(2, "worker_lost"), new StreamEvent.Token("4")));
        second.finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");

        JsonNode replay = get("/api/v1/admin/requests/" + job.id() + "/events", ADMIN_KEY);

        assertThat(replay.get("tenant").stringValue()).isEqualTo("other-tenant");
        assertThat(replay.get("events").valueStream().map(e -> e.get("event").stringValue()))
                .containsSubsequence("token", "restart", "token", "done");
        assertThat(replay.get("truncated").booleanValue()).isFalse();
        HttpResponse<String> unknown = http.send(
                request("/api/v1/admin/requests/" + RequestId.newId() + "/events")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> malformed = http.send(
                request("/api/v1/admin/requests/..%2F..%2Fetc/events").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(malformed.statusCode()).isIn(400, 404);
    }

    private HttpRequest streamRequest(String key) {
        return HttpRequest.newBuilder(java.net.URI.create(url("/api/v1/admin/overview/stream")))
                .header("Authorization", "Bearer " + key)
                .header("Accept", "text/event-stream")
                .build();
    }

    private BufferedReader openStream(String key) throws Exception {
        HttpResponse<InputStream> response = http.send(streamRequest(key), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        streams.add(response.body());
        return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    private static JsonNode nextOverview(BufferedReader events) throws Exception {
        String event = null;
        for (String line; (line = events.readLine()) != null; ) {
            if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:") && "overview".equals(event)) {
                return JSON.readTree(line.substring(5));
            }
        }
        throw new AssertionError("the stream ended");
    }
}
