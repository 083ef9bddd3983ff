package dev.agentic.ingress.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The sampler against a real redis-server: what it reports, and what it costs Redis to answer. */
class QueueMonitorTest {
    private static final Lane LANE = Lane.INTERACTIVE;

    private RedisServer server;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;
    private QueueMonitor monitor;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void start() {
        server = RedisServer.start();
        client = new RedisSettings(server.uri(), Duration.ofSeconds(5), Duration.ofSeconds(2)).createClient();
        connection = client.connect();
        redis = connection.sync();
        IngressProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                        "agentic.admission.sample-interval", "1h",
                        "agentic.admission.interactive-max-depth", "5")))
                .bindOrCreate("agentic", IngressProperties.class);
        monitor = new QueueMonitor(RedisLink.of(connection), properties, meters);
        for (Lane lane : Lane.values()) {
            JobQueue.ensureGroup(redis, lane);
        }
    }

    @AfterEach
    void stop() {
        monitor.close();
        connection.close();
        client.shutdown();
        server.close();
    }

    private void enqueue(int jobs, int querySize) {
        long now = System.currentTimeMillis();
        for (int i = 0; i < jobs; i++) {
            JobQueue.enqueue(
                    redis,
                    new Job(
                            1,
                            RequestId.newId(),
                            "t",
                            "math",
                            "x".repeat(querySize),
                            null,
                            LANE,
                            now,
                            now + 60_000,
                            null));
        }
    }

    private long netOutputBytes() {
        String stats = redis.info("stats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("total_net_output_bytes:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new AssertionError("no total_net_output_bytes in INFO stats");
    }

    /**
     * Workers that kept up, then idled: the smoothed drain rate decays towards zero with every
     * sample that sees no reads, and was then taken for the workers' capacity, so the first sample
     * that caught a job waiting predicted a wait of minutes and refused every request as
     * {@code deadline_unreachable} until the next sample, with every worker free. The ingress test
     * suite met it as a 429 on its first request after a quiet class.
     */
    @Test
    void workersThatWereIdleAreNotTakenForSlowOnesWhenJobsArrive() throws Exception {
        enqueue(10, 10);
        JobQueue.read(redis, LANE, "w1", 2, Duration.ZERO, false);
        monitor.sampleNow(); // the group's read counter from here on
        JobQueue.read(redis, LANE, "w1", 8, Duration.ZERO, false);
        Thread.sleep(100);
        monitor.sampleNow(); // took 8 in 0.1 s
        assertThat(monitor.load(LANE).drainPerSecond()).as("the workers' pace").isGreaterThan(10);
        for (int i = 0; i < 30; i++) {
            Thread.sleep(5);
            monitor.sampleNow(); // nothing waits, nothing read
        }
        enqueue(3, 10); // the next jobs, caught by a sample before the free workers read them
        monitor.sampleNow();

        assertThat(monitor.load(LANE).lag()).isEqualTo(3);
        assertThat(monitor.load(LANE).predictedWaitSeconds()).isZero();
        Admission admission = new Admission(monitor, java.time.Clock.systemUTC(), meters);
        long now = System.currentTimeMillis();
        admission.admit(new Job(1, RequestId.newId(), "t", "math", "1+1", null, LANE, now, now + 20_000, null));
    }

    /** Workers that stay behind a backlog for a whole interval show their pace, from which the wait is predicted. */
    @Test
    void aBacklogTheWorkersStayBehindPredictsTheWait() throws Exception {
        enqueue(50, 10);
        JobQueue.read(redis, LANE, "w1", 2, Duration.ZERO, false);
        monitor.sampleNow();
        JobQueue.read(redis, LANE, "w1", 1, Duration.ZERO, false);
        Thread.sleep(200);
        monitor.sampleNow(); // 1 taken in 0.2 s with 47 still waiting: about 5 a second

        LaneLoad load = monitor.load(LANE);
        assertThat(load.pacePerSecond()).isBetween(1.0, 5.5);
        assertThat(load.predictedWaitSeconds())
                .as("47 waiting at about 5 a second")
                .isGreaterThan(8);
    }

    @Test
    void aSampleOfAFullLaneTransfersCountsAndIdsButNoJobBodies() {
        enqueue(20, 200_000);
        JobQueue.read(redis, LANE, "w1", 3, Duration.ZERO, false);

        long before = netOutputBytes();
        monitor.sampleNow();
        long transferred = netOutputBytes() - before;

        assertThat(transferred)
                .as("bytes Redis sent for one sample (one job body is 200 KB)")
                .isLessThan(20_000);
        assertThat(monitor.load(LANE).lag()).isEqualTo(17);
    }

    @Test
    void exportsTheLagKedaReadsTheDepthThePendingJobsAndRedisItself() {
        enqueue(9, 10);
        JobQueue.read(redis, LANE, "w1", 4, Duration.ZERO, false);

        monitor.sampleNow();

        assertThat(gauge("agentic.queue.lag")).as("XINFO GROUPS lag").isEqualTo(groupLag());
        assertThat(gauge("agentic.queue.lag")).isEqualTo(5);
        assertThat(gauge("agentic.queue.depth")).isEqualTo(9);
        assertThat(gauge("agentic.queue.pending")).isEqualTo(4);
        assertThat(gauge("agentic.queue.waiting")).isEqualTo(5);
        assertThat(meters.get("agentic.redis.up").gauge().value()).isEqualTo(1);
        assertThat(meters.get("agentic.redis.memory.used.bytes").gauge().value())
                .isPositive();
        assertThat(meters.get("agentic.redis.memory.max.bytes").gauge().value())
                .isEqualTo(Double.parseDouble(redis.configGet("maxmemory").get("maxmemory")));

        JobQueue.read(redis, LANE, "w1", 5, Duration.ZERO, false);
        monitor.sampleNow();
        assertThat(gauge("agentic.queue.lag")).isEqualTo(groupLag()).isZero();

        server.close();
        assertThatThrownBy(monitor::sampleNow).isInstanceOf(RedisException.class);
        assertThat(meters.get("agentic.redis.up").gauge().value()).isZero();
    }

    private double gauge(String name) {
        return meters.get(name).tag("lane", LANE.wireName()).gauge().value();
    }

    /** The lag of the lane's group as KEDA's scaler reads it: XINFO GROUPS. */
    private long groupLag() {
        List<Object> groups = redis.xinfoGroups(RedisKeys.queue(LANE));
        @SuppressWarnings("unchecked")
        List<Object> fields = (List<Object>) groups.getFirst();
        return (Long) fields.get(fields.indexOf("lag") + 1);
    }

    @Test
    void anEmptyOrFullyTakenLaneHasNothingWaiting() {
        monitor.sampleNow();
        assertThat(monitor.load(LANE).lag()).isZero();

        enqueue(7, 10);
        JobQueue.read(redis, LANE, "w1", 7, Duration.ZERO, false);
        monitor.sampleNow();
        assertThat(monitor.load(LANE).lag()).isZero();
    }

    @Test
    void waitingJobsAreCountedBelowAndAboveTheThreshold() {
        enqueue(3, 10);
        monitor.sampleNow();
        assertThat(monitor.load(LANE).lag()).isEqualTo(3);
        assertThat(monitor.load(LANE).maxDepth()).isEqualTo(5);

        enqueue(9, 10);
        monitor.sampleNow();
        assertThat(monitor.load(LANE).lag()).isEqualTo(12);
    }

    @Test
    void aLagRedisCannotComputeIsBoundedByTheEntriesNotPending() {
        tenJobsFourTakenAndTheReadCounterLost();

        monitor.sampleNow();

        assertThat(monitor.load(LANE).lag()).isEqualTo(6);
    }

    @Test
    void aReadCounterRedisLostIsRestoredSoTheAutoscalerSeesTheBacklog() {
        tenJobsFourTakenAndTheReadCounterLost();
        assertThat(kedaLag()).as("what KEDA's scaler reads before the sample").isNull();

        monitor.sampleNow();

        assertThat(kedaLag()).isEqualTo("6");
        assertThat(meters.counter("agentic.queue.lag.repairs", "lane", LANE.wireName())
                        .count())
                .isEqualTo(1.0);
        monitor.sampleNow();
        assertThat(meters.counter("agentic.queue.lag.repairs", "lane", LANE.wireName())
                        .count())
                .as("a known lag is not repaired again")
                .isEqualTo(1.0);
    }

    /** Ten jobs, four taken, then an XGROUP SETID without ENTRIESREAD: Redis no longer knows the lag. */
    private void tenJobsFourTakenAndTheReadCounterLost() {
        enqueue(10, 10);
        String fourth =
                JobQueue.read(redis, LANE, "w1", 4, Duration.ZERO, false).get(3).getId();
        redis.xgroupSetid(
                io.lettuce.core.XReadArgs.StreamOffset.from(RedisKeys.queue(LANE), fourth), RedisKeys.WORKER_GROUP);
    }

    /** The lane group's "lag" in XINFO GROUPS, as KEDA's redis-streams scaler reads it; null for NULL. */
    private @Nullable String kedaLag() {
        for (Object group : redis.xinfoGroups(RedisKeys.queue(LANE))) {
            List<?> fields = (List<?>) group;
            if (fields.contains(RedisKeys.WORKER_GROUP)) {
                Object lag = fields.get(fields.indexOf("lag") + 1);
                return lag == null ? null : String.valueOf(lag);
            }
        }
        throw new AssertionError("no group");
    }
}
