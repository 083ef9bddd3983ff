package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the ingress's and the worker's Redis operations as the ACL users docs/security.md
 * prescribes, against a real redis-server with {@code requirepass} and those users.
 */
class RedisAclTest {
    private static RedisServer server;

    @BeforeAll
    static void startRedisWithUsers() throws Exception {
        Path acl = Files.createTempFile("agentic-users", ".acl");
        Files.write(acl, readAclLines());
        server = RedisServer.start(false, List.of("--requirepass", "admin-secret", "--aclfile", acl.toString()));
    }

    /** The ACL lines of docs/security.md, with their example passwords. */
    static List<String> readAclLines() throws Exception {
        return Files.readAllLines(Path.of("../docs/security.md")).stream()
                .filter(line -> line.startsWith("user "))
                .toList();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RedisClient client(String user, String password) {
        return new RedisSettings(
                        "redis://" + user + ":" + password + "@127.0.0.1:" + server.port(),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2))
                .createClient();
    }

    @Test
    void theIngressAndWorkerUsersCanDoTheirWholeJob() {
        RedisClient ingress = client("agentic-ingress", "ingress-secret");
        RedisClient worker = client("agentic-worker", "worker-secret");
        try (StatefulRedisConnection<String, String> in = ingress.connect();
                StatefulRedisPubSubConnection<String, String> sub = ingress.connectPubSub();
                StatefulRedisConnection<String, String> wk = worker.connect();
                StatefulRedisPubSubConnection<String, String> watch = worker.connectPubSub()) {
            RedisCommands<String, String> w = wk.sync();
            JobQueue.ensureGroup(w, Lane.INTERACTIVE);
            long now = System.currentTimeMillis();
            Job job =
                    new Job(1, RequestId.newId(), "t", "math", "1+1", null, Lane.INTERACTIVE, now, now + 60_000, null);
            EventLog ingressLog = new EventLog(in, Duration.ofMinutes(5), Duration.ofMinutes(10), Clock.systemUTC());
            sub.sync().subscribe(RedisKeys.relayChannel("ingress1"));
            assertThat(ingressLog.open(job, RedisKeys.relayChannel("ingress1"))).isNotNull();
            JobQueue.enqueue(in.sync(), job);
            in.sync().xinfoGroups(RedisKeys.queue(Lane.INTERACTIVE));
            in.sync().set(RedisKeys.idempotency("t", "ab".repeat(16)), job.id());
            ingressLog.attach(job.id(), RedisKeys.relayChannel("ingress1"));
            ingressLog.follow(job.id(), RedisKeys.relayChannel("ingress2"));

            watch.sync().subscribe(RedisKeys.CANCEL_CHANNEL);
            String entry = JobQueue.read(w, Lane.INTERACTIVE, "w1", 1, Duration.ZERO, false)
                    .get(0)
                    .getId();
            JobQueue.refresh(w, Lane.INTERACTIVE, "w1", List.of(entry));
            JobQueue.claimAbandoned(w, Lane.INTERACTIVE, "w1", Duration.ofHours(1), 1);
            JobQueue.deliveryCounts(w, Lane.INTERACTIVE, "w1", 10);
            EventLog workerLog = new EventLog(wk, Duration.ofMinutes(5), Duration.ofMinutes(10), Clock.systemUTC());
            assertThat(workerLog.beginAttempt(job, 1).number()).isEqualTo(1);
            AttemptWriter writer = workerLog.attempt(job.id(), 1, Duration.ZERO);
            writer.append(new StreamEvent.Token("2"));
            assertThat(writer.finish(new StreamEvent.Done(Usage.NONE, "stop"), "2")
                            .isInLog())
                    .isTrue();
            w.setex(RedisKeys.worker("w1"), 30, "{}");
            w.xadd(RedisKeys.DEAD_LETTERS, java.util.Map.of("error", "test"));
            JobQueue.ack(w, Lane.INTERACTIVE, entry);

            assertThat(ingressLog.readAfter(job.id(), EventId.ZERO, 10)).hasSize(3);
            assertThat(ingressLog.status(job.id())).containsEntry("status", "done");
            // The system's end (a cancel) publishes on the cancel channel.
            Job other =
                    new Job(1, RequestId.newId(), "t", "math", "1+1", null, Lane.INTERACTIVE, now, now + 60_000, null);
            ingressLog.open(other, RedisKeys.relayChannel("ingress1"));
            assertThat(ingressLog
                            .end(other.id(), new StreamEvent.Error("cancelled", "c", false))
                            .isInLog())
                    .isTrue();
            assertThat(workerLog.end(other.id(), new StreamEvent.Error("cancelled", "c", false)))
                    .isEqualTo(AttemptOutcome.ENDED);
        } finally {
            ingress.shutdown();
            worker.shutdown();
        }
    }

    /**
     * Every other operation each side performs, beyond the request path above: the worker's
     * housekeeping, agents' state and accounting, the ingress's admission sampler, keys, limits,
     * idempotency, usage reads, cache reads and dead-letter administration.
     */
    @Test
    void eachSideCanDoItsHousekeepingAndAccounting() {
        RedisClient ingress = client("agentic-ingress", "ingress-secret");
        RedisClient worker = client("agentic-worker", "worker-secret");
        try (StatefulRedisConnection<String, String> in = ingress.connect();
                StatefulRedisConnection<String, String> wk = worker.connect()) {
            RedisCommands<String, String> w = wk.sync();
            RedisCommands<String, String> i = in.sync();
            JobQueue.ensureGroup(w, Lane.BATCH);
            JobQueue.ensureGroup(i, Lane.BATCH);
            QueueTrimmer.trimLane(w, Lane.BATCH);
            QueueTrimmer.trimDeadLetters(w, 10, Duration.ofDays(7), Clock.systemUTC());
            String session = RedisKeys.session("t", "cd".repeat(16));
            w.rpush(session, "{}");
            w.ltrim(session, -40, -1);
            w.expire(session, 60);
            w.lrange(session, 0, -1);
            w.incr(RedisKeys.knowledgeVersion("t"));
            String cacheKey = ResponseCacheKey.of(w, "t", "math", "1+1");
            w.setex(cacheKey, 60, "{}");
            new UsageLedger(wk, Duration.ofDays(1))
                    .record("t", "math", RequestId.newId(), LocalDate.now(java.time.ZoneOffset.UTC), Usage.NONE);
            w.get(RedisKeys.worker("w1"));
            w.zadd(RedisKeys.WORKERS, 1.0, "w1");
            w.zremrangebyscore(RedisKeys.WORKERS, Range.create(0, 0.5));
            w.zrem(RedisKeys.WORKERS, "w0");
            w.lpush(RedisKeys.RECENT_REQUESTS, "{}");
            w.ltrim(RedisKeys.RECENT_REQUESTS, 0, 199);

            assertThat(LaneStats.read(i, Lane.BATCH)).isNotNull();
            i.zrevrangebyscoreWithScores(
                    RedisKeys.WORKERS, Range.create(0, Double.POSITIVE_INFINITY), io.lettuce.core.Limit.create(0, 10));
            i.mget(RedisKeys.worker("w1"), RedisKeys.worker("w2"));
            i.lrange(RedisKeys.RECENT_REQUESTS, 0, 49);
            i.hincrby(RedisKeys.INGRESS_REFUSALS, "rate_limited", 1);
            i.hgetall(RedisKeys.INGRESS_REFUSALS);
            i.get(ResponseCacheKey.of(i, "t", "math", "1+1"));
            UsageLedger ledger = new UsageLedger(in, Duration.ofDays(1));
            ledger.day("t", LocalDate.now(java.time.ZoneOffset.UTC));
            ledger.costOfMonth("t", LocalDate.now(java.time.ZoneOffset.UTC));
            String key = RedisKeys.apiKey("0123456789abcdef");
            i.hset(key, Map.of("tenant", "t", "roles", "user"));
            i.hsetnx(key, "revoked_ms", "1");
            i.hgetall(key);
            i.sadd(RedisKeys.API_KEYS, "0123456789abcdef");
            i.smembers(RedisKeys.API_KEYS);
            i.hset(RedisKeys.LIMITS_CONFIG, "default.burst", "10");
            i.hgetall(RedisKeys.LIMITS_CONFIG);
            i.hset(RedisKeys.ADMISSION_CONFIG, "interactive.max-depth", "10");
            i.hdel(RedisKeys.ADMISSION_CONFIG, "interactive.max-depth");
            String idem = RedisKeys.idempotency("t", "ef".repeat(16));
            i.set(idem, "x", SetArgs.Builder.nx().ex(60));
            i.get(idem);
            i.del(idem);
            String letter = w.xadd(RedisKeys.DEAD_LETTERS, Map.of("error", "test"));
            i.xlen(RedisKeys.DEAD_LETTERS);
            i.xrange(RedisKeys.DEAD_LETTERS, Range.create("-", "+"));
            i.xdel(RedisKeys.DEAD_LETTERS, letter);
            i.del(RedisKeys.DEAD_LETTERS);
        } finally {
            ingress.shutdown();
            worker.shutdown();
        }
    }

    /** The worker's credential cannot mint an API key, change limits or admission, nor read keys. */
    @Test
    void theWorkerUserCannotWriteKeysOrConfiguration() {
        RedisClient worker = client("agentic-worker", "worker-secret");
        try (StatefulRedisConnection<String, String> wk = worker.connect()) {
            RedisCommands<String, String> w = wk.sync();
            List<Runnable> refused = List.of(
                    () -> w.hset(RedisKeys.apiKey("0123456789abcdef"), Map.of("tenant", "t", "roles", "admin")),
                    () -> w.hgetall(RedisKeys.apiKey("0123456789abcdef")),
                    () -> w.sadd(RedisKeys.API_KEYS, "0123456789abcdef"),
                    () -> w.hset(RedisKeys.LIMITS_CONFIG, "default.rate-per-second", "0"),
                    () -> w.hset(RedisKeys.ADMISSION_CONFIG, "interactive.max-depth", "1"),
                    () -> w.del(RedisKeys.LIMITS_CONFIG),
                    () -> w.set(RedisKeys.idempotency("t", "ab".repeat(16)), "x"),
                    () -> w.del(RedisKeys.streamPermits("t")),
                    () -> w.hincrby(RedisKeys.INGRESS_REFUSALS, "rate_limited", -100),
                    () -> w.eval(
                            "return redis.call('HSET', KEYS[1], 'roles', 'admin')",
                            io.lettuce.core.ScriptOutputType.INTEGER,
                            RedisKeys.apiKey("0123456789abcdef")));
            for (Runnable operation : refused) {
                assertThatThrownBy(operation::run)
                        .isInstanceOf(RedisException.class)
                        .hasMessageContaining("NOPERM");
            }
        } finally {
            worker.shutdown();
        }
    }

    /** The ingress only reads what the workers write for it: cached answers, knowledge versions, usage. */
    @Test
    void theIngressUserCannotWriteWhatOnlyWorkersWrite() {
        RedisClient ingress = client("agentic-ingress", "ingress-secret");
        try (StatefulRedisConnection<String, String> in = ingress.connect()) {
            RedisCommands<String, String> i = in.sync();
            List<Runnable> refused = List.of(
                    () -> i.set(RedisKeys.responseCache("t", "ab".repeat(16)), "forged answer"),
                    () -> i.incr(RedisKeys.knowledgeVersion("t")),
                    () -> i.hset(RedisKeys.usageDay("t", "2026-12-01"), "total:cost_usd", "0"),
                    () -> i.setex(RedisKeys.worker("w1"), 30, "{}"),
                    () -> i.zadd(RedisKeys.WORKERS, 1.0, "forged-worker"),
                    () -> i.lpush(RedisKeys.RECENT_REQUESTS, "{\"id\":\"forged\"}"),
                    () -> i.rpush(RedisKeys.session("t", "ab".repeat(16)), "{}"));
            for (Runnable operation : refused) {
                assertThatThrownBy(operation::run)
                        .isInstanceOf(RedisException.class)
                        .hasMessageContaining("NOPERM");
            }
        } finally {
            ingress.shutdown();
        }
    }

    @Test
    void theUsersCannotTouchKeysOutsideTheirNamespaceNorRunAdminCommands() {
        RedisClient ingress = client("agentic-ingress", "ingress-secret");
        try (StatefulRedisConnection<String, String> in = ingress.connect()) {
            assertThatThrownBy(() -> in.sync().set("other-app:key", "x"))
                    .isInstanceOf(RedisException.class)
                    .hasMessageContaining("NOPERM");
            assertThatThrownBy(() -> in.sync().flushall())
                    .isInstanceOf(RedisException.class)
                    .hasMessageContaining("NOPERM");
            assertThatThrownBy(() -> in.sync().configGet("*"))
                    .isInstanceOf(RedisException.class)
                    .hasMessageContaining("NOPERM");
        } finally {
            ingress.shutdown();
        }
    }

    /**
     * Lettuce 6.8 loses the cause in a race: when Redis answers {@code WRONGPASS} before Lettuce's
     * connect listener runs, the handshake handler is already gone and the connection fails with
     * "RedisHandshakeHandler not registered" (AbstractRedisClient.initializeChannelAsync). Seen once
     * in CI; so every attempt must be refused, and the operator, whose process retries at start-up
     * (RedisSettings.connectWaiting), must read WRONGPASS within a few attempts.
     */
    @Test
    void aWrongPasswordIsRefusedWithAClearError() {
        RedisClient wrong = client("agentic-worker", "guess");
        try {
            List<String> failures = new ArrayList<>();
            for (int attempt = 0; attempt < 5 && failures.stream().noneMatch(f -> f.contains("WRONGPASS")); attempt++) {
                Throwable refused = catchThrowable(wrong::connect);
                assertThat(refused).isInstanceOf(RedisConnectionException.class);
                StringWriter trace = new StringWriter();
                refused.printStackTrace(new PrintWriter(trace));
                failures.add(trace.toString());
            }
            assertThat(failures).anySatisfy(f -> assertThat(f).contains("WRONGPASS"));
        } finally {
            wrong.shutdown();
        }
    }
}
