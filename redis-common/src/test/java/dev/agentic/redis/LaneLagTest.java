package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lag of a lane's group, as KEDA's {@code redis-streams} scaler reads it ({@code XINFO GROUPS}
 * "lag"), against the real backlog: Redis (7.0 here) loses the group's read counter after an AOF
 * reload or an {@code XGROUP SETID} without {@code ENTRIESREAD}, and then reports the lag as NULL,
 * which KEDA reads as 0 or -1 (by go-redis version) or as an error: no backlog, whatever waits.
 * {@link LaneStats#repairLag} restores the counter. Trimming keeps it exact (QueueTrimmerTest).
 */
class LaneLagTest {
    private static final Lane LANE = Lane.INTERACTIVE;
    private static final String QUEUE = RedisKeys.queue(LANE);

    private RedisServer server;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void start() {
        // AOF written on every command, so a SIGKILL and a restart reload every job
        server = RedisServer.start(true, List.of("--appendfsync", "always"));
        client = new RedisSettings(server.uri(), Duration.ofSeconds(2), Duration.ofSeconds(1)).createClient();
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterEach
    void stop() {
        connection.close();
        client.shutdown();
        server.close();
    }

    @Test
    void afterAnAofReloadTheLagIsUnknownUntilRepairedToTheBacklog() {
        tenJobsThreeTaken();
        assertThat(lag()).isEqualTo("7");

        server.restart(); // SIGKILL, then the same data folder: Redis replays the AOF
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> redis.ping().equals("PONG"));

        assertThat(lag()).as("what KEDA would read after the reload").isNull();
        LaneStats stats = LaneStats.read(redis, LANE);
        assertThat(stats).isNotNull();
        assertThat(stats.lag()).isNull();
        assertThat(stats.waiting()).as("the admission's own estimate").isEqualTo(7);

        assertThat(LaneStats.repairLag(redis, LANE)).isEqualTo(7L);
        assertThat(lag()).isEqualTo("7");
        assertThat(group()).containsEntry("entries-read", "3").containsEntry("pending", "3");

        // the counter stays right as workers go on reading, down to nothing waiting
        JobQueue.read(redis, LANE, "w2", 2, Duration.ZERO, false);
        assertThat(lag()).isEqualTo("5");
        JobQueue.read(redis, LANE, "w2", 100, Duration.ZERO, false);
        assertThat(lag()).isEqualTo("0");
    }

    /**
     * Found at load on the stack: after a restart Redis (7.0) reported a lag in the thousands with
     * nothing waiting, and the admission refused every query with queue_full. Redis restores the
     * group's read counter from the last AOF rewrite (its RDB preamble) and does not move it forward
     * for the reads replayed from the AOF after it: a lag that looks known and is wrong for good.
     */
    @Test
    void afterAReloadPastAnAofRewriteTheLagIsWrongUntilRepairedToTheBacklog() throws Exception {
        tenJobsThreeTaken();
        rewriteAof();
        List<StreamMessage<String, String>> more = JobQueue.read(redis, LANE, "w2", 5, Duration.ZERO, false);
        assertThat(more).hasSize(5);
        assertThat(lag()).isEqualTo("2");

        server.restart(); // SIGKILL, then the RDB preamble and the AOF after it are replayed
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> redis.ping().equals("PONG"));

        assertThat(lag())
                .as("what KEDA would read after the reload: known, and wrong")
                .isNotNull()
                .isNotEqualTo("2");
        LaneStats stats = LaneStats.read(redis, LANE);
        assertThat(stats).isNotNull();
        assertThat(stats.next())
                .as("entries after the last delivered one, counted")
                .isEqualTo(2);
        assertThat(stats.lagWrong()).isTrue();
        assertThat(stats.waiting())
                .as("the admission counts the backlog, not the lag")
                .isEqualTo(2);

        assertThat(LaneStats.repairLag(redis, LANE)).isEqualTo(2L);
        assertThat(lag()).isEqualTo("2");
        assertThat(LaneStats.read(redis, LANE).lagWrong()).isFalse();
        JobQueue.read(redis, LANE, "w3", 100, Duration.ZERO, false);
        assertThat(lag()).isEqualTo("0");
    }

    @Test
    void anXgroupSetidWithoutEntriesReadLosesTheCounterTooAndTheRepairRestoresIt() {
        List<StreamMessage<String, String>> taken = tenJobsThreeTaken();
        redis.xgroupSetid(XReadArgs.StreamOffset.from(QUEUE, taken.get(1).getId()), RedisKeys.WORKER_GROUP);
        assertThat(lag()).isNull();

        // the group was moved back one entry: 8 lie after it now, the third job (still pending) too
        assertThat(LaneStats.repairLag(redis, LANE)).isEqualTo(8L);
        assertThat(lag()).isEqualTo("8");

        // exact, so it stays right to the end: once every entry is read, nothing waits
        JobQueue.read(redis, LANE, "w2", 100, Duration.ZERO, false);
        assertThat(lag()).isEqualTo("0");
    }

    @Test
    void theRepairCountsAPastBacklogInChunks() {
        JobQueue.ensureGroup(redis, LANE);
        for (int i = 0; i < 250; i++) {
            long now = System.currentTimeMillis();
            JobQueue.enqueue(
                    redis, new Job(1, RequestId.newId(), "t", "math", "job " + i, null, LANE, now, now + 60_000, null));
        }
        List<StreamMessage<String, String>> taken = JobQueue.read(redis, LANE, "w1", 20, Duration.ZERO, false);
        redis.xgroupSetid(XReadArgs.StreamOffset.from(QUEUE, taken.get(9).getId()), RedisKeys.WORKER_GROUP);
        assertThat(lag()).isNull();

        assertThat(LaneStats.repairLag(redis, LANE)).isEqualTo(240L);
    }

    @Test
    void aKnownLagIsLeftAlone() {
        tenJobsThreeTaken();
        assertThat(LaneStats.repairLag(redis, LANE)).isNull();
        assertThat(group()).containsEntry("lag", "7").containsEntry("entries-read", "3");
    }

    @Test
    void aMissingLaneOrGroupIsNotRepaired() {
        assertThat(LaneStats.repairLag(redis, LANE)).isNull();
        redis.xadd(QUEUE, Map.of("x", "1"));
        assertThat(LaneStats.repairLag(redis, LANE)).isNull();
    }

    private List<StreamMessage<String, String>> tenJobsThreeTaken() {
        JobQueue.ensureGroup(redis, LANE);
        for (int i = 0; i < 10; i++) {
            long now = System.currentTimeMillis();
            JobQueue.enqueue(
                    redis, new Job(1, RequestId.newId(), "t", "math", "job " + i, null, LANE, now, now + 60_000, null));
        }
        return JobQueue.read(redis, LANE, "w1", 3, Duration.ZERO, false);
    }

    private void rewriteAof() {
        redis.bgrewriteaof();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> redis.info("persistence").contains("aof_rewrite_in_progress:0")
                        && !redis.info("persistence").contains("aof_rewrite_scheduled:1"));
    }

    /** The group's "lag" exactly as XINFO GROUPS gives it; null for Redis's NULL. */
    private String lag() {
        return group().get("lag");
    }

    private Map<String, String> group() {
        for (Object group : redis.xinfoGroups(QUEUE)) {
            List<?> fields = (List<?>) group;
            Map<String, String> line = new HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                Object value = fields.get(i + 1);
                line.put(String.valueOf(fields.get(i)), value == null ? null : String.valueOf(value));
            }
            if (RedisKeys.WORKER_GROUP.equals(line.get("name"))) {
                return line;
            }
        }
        throw new AssertionError("no group");
    }
}
