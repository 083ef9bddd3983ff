package dev.agentic.ingress;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.AttemptWriter;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Runs the ingress on a random port against a real redis-server (one per test JVM). Tests play the
 * worker's part themselves through {@link #takeJob()} and {@link #worker}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class RedisBackedTest {
    static final RedisServer REDIS = RedisServer.start();
    /** The bootstrap admin key of every test ingress (tenant {@code public}, all roles, all agents). */
    static final String ADMIN_KEY = "agk_00000000000000a1_test-admin-secret-0123456789";

    static final RedisClient CLIENT;
    static final StatefulRedisConnection<String, String> CONNECTION;

    static {
        CLIENT = new RedisSettings(REDIS.uri(), Duration.ofSeconds(10), Duration.ofSeconds(2)).createClient();
        CONNECTION = CLIENT.connect();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            CLIENT.shutdown();
            REDIS.close();
        }));
    }

    final EventLog log = new EventLog(CONNECTION, Duration.ofMinutes(10), Duration.ofMinutes(20), Clock.systemUTC());
    private final Map<String, AttemptWriter> writers = new HashMap<>();

    /** The test's stand-in for a worker running the job's first attempt: writes events as workers do. */
    AttemptWriter worker(Job job) {
        return writers.computeIfAbsent(job.id(), id -> log.attempt(id, 1, Duration.ZERO));
    }

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("agentic.redis.uri", REDIS::uri);
        registry.add("agentic.ingress.max-body-size", () -> "2KB");
        registry.add("agentic.ingress.max-query-length", () -> "500");
        registry.add("agentic.ingress.max-document-size", () -> "8KB");
        registry.add("agentic.ingress.heartbeat", () -> "300ms");
        registry.add("agentic.ingress.default-deadline", () -> "20s");
        registry.add("agentic.ingress.disconnect-grace", () -> "1s");
        registry.add("agentic.ingress.terminal-grace", () -> "1s");
        registry.add("agentic.security.bootstrap-key", () -> ADMIN_KEY);
        registry.add("agentic.security.key-cache-ttl", () -> "500ms");
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Headers that authenticate as the bootstrap admin key, plus {@code extra}. */
    static Map<String, String> auth(Map<String, String> extra) {
        Map<String, String> headers = new HashMap<>(extra);
        headers.put("Authorization", "Bearer " + ADMIN_KEY);
        return headers;
    }

    static Map<String, String> auth() {
        return auth(Map.of());
    }

    /** A request to this ingress, authenticated as the bootstrap admin key. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + ADMIN_KEY);
    }

    /**
     * Creates an API key through the admin API.
     *
     * @return the key string ({@code agk_...})
     */
    String createKey(String tenant, String roles, String agents) {
        String body = "{\"tenant\":\"" + tenant + "\",\"roles\":[" + quoted(roles) + "],\"agents\":[" + quoted(agents)
                + "],\"name\":\"test\"}";
        try {
            HttpResponse<String> created = HttpClient.newHttpClient()
                    .send(
                            request("/api/v1/admin/keys")
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                throw new AssertionError("creating a key: " + created.statusCode() + " " + created.body());
            }
            java.util.regex.Matcher key =
                    java.util.regex.Pattern.compile("\"key\":\"(agk_[^\"]+)\"").matcher(created.body());
            if (!key.find()) {
                throw new AssertionError("no key in " + created.body());
            }
            return key.group(1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String quoted(String commaSeparated) {
        return commaSeparated.isEmpty()
                ? ""
                : java.util.Arrays.stream(commaSeparated.split(","))
                        .map(v -> "\"" + v + "\"")
                        .collect(java.util.stream.Collectors.joining(","));
    }

    static RedisCommands<String, String> redis() {
        return CONNECTION.sync();
    }

    /** How long {@link #takeJob} waits for a job. */
    static final Duration TAKE_WAIT = Duration.ofSeconds(10);

    /**
     * Blocking reads on their own connection, whose timeout is longer than the block: a read that
     * finds nothing then returns empty instead of racing the command timeout, and it never holds up
     * the shared {@link #CONNECTION}.
     */
    private static final StatefulRedisConnection<String, String> BLOCKING = new RedisSettings(
                    REDIS.uri(), Duration.ofSeconds(10), Duration.ofSeconds(2))
            .connectForBlocking(CLIENT, TAKE_WAIT);

    /** Takes the next job from the interactive lane as a worker would ({@link #takeJob(Lane)}). */
    static Job takeJob() {
        Job job = takeJob(Lane.INTERACTIVE);
        // As workers do: the ingress writes the job before its request, so make sure it exists.
        new EventLog(CONNECTION, Duration.ofMinutes(10), Duration.ofMinutes(20), Clock.systemUTC()).open(job);
        return job;
    }

    /**
     * Takes and acknowledges the next job of {@code lane}, waiting up to {@link #TAKE_WAIT}; without
     * one, fails with what the lane holds, to tell a refused request from a job another reader took.
     */
    static Job takeJob(Lane lane) {
        JobQueue.ensureGroup(redis(), lane);
        List<StreamMessage<String, String>> taken =
                JobQueue.read(BLOCKING.sync(), lane, "test-worker", 1, TAKE_WAIT, false);
        String queue = RedisKeys.queue(lane);
        if (taken.isEmpty()) {
            throw new AssertionError("no job was enqueued within " + TAKE_WAIT + "; the lane holds "
                    + redis().xlen(queue) + " entries, its groups: " + redis().xinfoGroups(queue)
                    + ", its last entry: "
                    + redis().xrevrange(queue, io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(1)));
        }
        StreamMessage<String, String> entry = taken.get(0);
        JobQueue.ack(redis(), lane, entry.getId());
        return WireCodec.decodeJob(entry.getBody().get(RedisKeys.JOB_FIELD));
    }
}
