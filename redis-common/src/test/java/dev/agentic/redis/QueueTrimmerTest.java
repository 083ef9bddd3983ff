package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.WireCodec;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueueTrimmerTest {
    private static final Lane LANE = Lane.INTERACTIVE;
    private static final String QUEUE = RedisKeys.queue(LANE);

    private LocalRedis local;
    private RedisServer server;
    private RedisClient client;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void startRedis() {
        local = LocalRedis.start();
        server = local.server();
        client = local.client();
        redis = local.redis();
    }

    @AfterEach
    void stopRedis() {
        local.close();
    }

    private static Job job(String text) {
        long now = System.currentTimeMillis();
        return new Job(1, RequestId.newId(), "t", "math", text, null, LANE, now, now + 60_000, null);
    }

    /** The lane group's line of XINFO GROUPS: lag (what KEDA's lagCount reads), pending, entries-read. */
    private Map<String, String> group() {
        for (Object group : redis.xinfoGroups(QUEUE)) {
            List<?> fields = (List<?>) group;
            Map<String, String> line = new HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                line.put(String.valueOf(fields.get(i)), String.valueOf(fields.get(i + 1)));
            }
            if (RedisKeys.WORKER_GROUP.equals(line.get("name"))) {
                return line;
            }
        }
        throw new AssertionError("no group");
    }

    private static String text(StreamMessage<String, String> message) {
        return WireCodec.decodeJob(message.getBody().get(RedisKeys.JOB_FIELD)).query();
    }

    @Test
    void trimsAcknowledgedHistoryButKeepsPendingAndUndeliveredJobsAndTheLag() {
        JobQueue.ensureGroup(redis, LANE);
        for (int i = 0; i < 10; i++) {
            JobQueue.enqueue(redis, job("job " + i));
        }
        List<StreamMessage<String, String>> delivered = JobQueue.read(redis, LANE, "w1", 6, Duration.ZERO, false);
        for (int i : new int[] {0, 1, 3, 4}) {
            JobQueue.ack(redis, LANE, delivered.get(i).getId());
        }
        Map<String, String> before = group();
        assertThat(before)
                .containsEntry("lag", "4")
                .containsEntry("pending", "2")
                .containsEntry("entries-read", "6");

        assertThat(QueueTrimmer.trimLane(redis, LANE)).isEqualTo(2);

        assertThat(redis.xlen(QUEUE)).isEqualTo(8);
        assertThat(group())
                .containsEntry("lag", "4")
                .containsEntry("pending", "2")
                .containsEntry("entries-read", "6");
        assertThat(JobQueue.read(redis, LANE, "w1", 10, Duration.ZERO, true))
                .extracting(QueueTrimmerTest::text)
                .containsExactly("job 2", "job 5");
        List<StreamMessage<String, String>> rest = JobQueue.read(redis, LANE, "w2", 10, Duration.ZERO, false);
        assertThat(rest).extracting(QueueTrimmerTest::text).containsExactly("job 6", "job 7", "job 8", "job 9");
        assertThat(group()).containsEntry("lag", "0").containsEntry("entries-read", "10");
    }

    @Test
    void aFullyAcknowledgedLaneIsEmptiedAndCountsNewJobsAgain() {
        JobQueue.ensureGroup(redis, LANE);
        for (int i = 0; i < 5; i++) {
            JobQueue.enqueue(redis, job("job " + i));
        }
        for (StreamMessage<String, String> m : JobQueue.read(redis, LANE, "w1", 5, Duration.ZERO, false)) {
            JobQueue.ack(redis, LANE, m.getId());
        }

        assertThat(QueueTrimmer.trimLane(redis, LANE)).isEqualTo(5);
        assertThat(redis.xlen(QUEUE)).isZero();
        assertThat(group()).containsEntry("lag", "0").containsEntry("pending", "0");

        JobQueue.enqueue(redis, job("late"));
        assertThat(group()).containsEntry("lag", "1");
        assertThat(QueueTrimmer.trimLane(redis, LANE)).isZero();
        assertThat(JobQueue.read(redis, LANE, "w1", 5, Duration.ZERO, false))
                .extracting(QueueTrimmerTest::text)
                .containsExactly("late");
    }

    @Test
    void aPendingJobHoldsBackEverythingAfterIt() {
        JobQueue.ensureGroup(redis, LANE);
        for (int i = 0; i < 4; i++) {
            JobQueue.enqueue(redis, job("job " + i));
        }
        List<StreamMessage<String, String>> delivered = JobQueue.read(redis, LANE, "w1", 4, Duration.ZERO, false);
        for (int i = 1; i < 4; i++) {
            JobQueue.ack(redis, LANE, delivered.get(i).getId());
        }

        assertThat(QueueTrimmer.trimLane(redis, LANE)).isZero();
        assertThat(JobQueue.claimAbandoned(redis, LANE, "w2", Duration.ZERO, 10))
                .extracting(QueueTrimmerTest::text)
                .containsExactly("job 0");
    }

    @Test
    void aLaneWithoutItsGroupOrWithoutItsStreamIsLeftAlone() {
        assertThat(QueueTrimmer.trimLane(redis, LANE)).isZero();
        redis.xadd(QUEUE, Map.of("job", "x"));
        assertThat(QueueTrimmer.trimLane(redis, LANE)).isZero();
        assertThat(redis.xlen(QUEUE)).isEqualTo(1);
    }

    @Test
    void deadLettersAreCutToTheirMaximumLengthAndAge() {
        Instant now = Instant.parse("2026-12-01T04:00:00Z");
        long old = now.minus(Duration.ofDays(8)).toEpochMilli();
        for (int i = 0; i < 5; i++) {
            redis.xadd(RedisKeys.DEAD_LETTERS, new XAddArgs().id(old + "-" + i), Map.of("error", "old " + i));
        }
        long recent = now.minus(Duration.ofHours(1)).toEpochMilli();
        for (int i = 0; i < 20; i++) {
            redis.xadd(RedisKeys.DEAD_LETTERS, new XAddArgs().id(recent + "-" + i), Map.of("error", "new " + i));
        }
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);

        assertThat(QueueTrimmer.trimDeadLetters(redis, 100, Duration.ofDays(7), clock))
                .isEqualTo(5);
        assertThat(redis.xlen(RedisKeys.DEAD_LETTERS)).isEqualTo(20);
        assertThat(QueueTrimmer.trimDeadLetters(redis, 12, Duration.ofDays(7), clock))
                .isEqualTo(8);
        List<StreamMessage<String, String>> kept = redis.xrange(RedisKeys.DEAD_LETTERS, Range.create("-", "+"));
        assertThat(kept).hasSize(12);
        assertThat(kept.get(0).getBody()).containsEntry("error", "new 8");
    }

    @Test
    void aDeadLetterKeepsAtMostTheConfiguredBytesOfItsJob() {
        String small = "{\"query\":\"2+2\"}";
        assertThat(QueueTrimmer.boundedPayload(small, 64)).isEqualTo(small);

        String big = "é".repeat(100_000);
        String cut = QueueTrimmer.boundedPayload(big, 1024);
        assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
        assertThat(cut).startsWith("éé").endsWith(QueueTrimmer.cutMarker(200_000));
        assertThat(cut).doesNotContain("\uFFFD");

        String emoji = "😀".repeat(1000);
        String cutEmoji = QueueTrimmer.boundedPayload(emoji, 301);
        assertThat(cutEmoji.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(301);
        assertThat(new String(cutEmoji.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo(cutEmoji);
        assertThat(cutEmoji.chars().filter(c -> Character.isSurrogate((char) c)).count() % 2)
                .isZero();
    }

    @Test
    void trimmingStillFreesMemoryWhenRedisIsFullAndRefusesWrites() {
        JobQueue.ensureGroup(redis, LANE);
        for (int i = 0; i < 3; i++) {
            JobQueue.enqueue(redis, job("job " + i));
        }
        for (StreamMessage<String, String> m : JobQueue.read(redis, LANE, "w1", 3, Duration.ZERO, false)) {
            JobQueue.ack(redis, LANE, m.getId());
        }
        redis.xadd(RedisKeys.DEAD_LETTERS, Map.of("error", "e"));
        redis.configSet("maxmemory-policy", "noeviction");
        redis.configSet("maxmemory", "1");
        try {
            assertThatThrownBy(() -> JobQueue.enqueue(redis, job("refused"))).hasMessageContaining("OOM");

            assertThat(QueueTrimmer.trimLane(redis, LANE)).isEqualTo(3);
            assertThat(QueueTrimmer.trimDeadLetters(redis, 0, Duration.ofDays(7), Clock.systemUTC()))
                    .isEqualTo(1);
        } finally {
            redis.configSet("maxmemory", "0");
        }
    }

    /**
     * Workers read, hold and acknowledge jobs while another connection trims as fast as it can:
     * every job is delivered exactly once with its body, and the counters end exact.
     */
    @Test
    void trimmingWhileWorkersTakeAndAcknowledgeJobsLosesNothing() throws Exception {
        JobQueue.ensureGroup(redis, LANE);
        int jobs = 300;
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger duplicates = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger lostBodies = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong trimmed = new java.util.concurrent.atomic.AtomicLong();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var trimmer = pool.submit(() -> {
                try (var own = client.connect()) {
                    while (!done.get()) {
                        trimmed.addAndGet(QueueTrimmer.trimLane(own.sync(), LANE));
                    }
                }
            });
            var producer = pool.submit(() -> {
                try (var own = client.connect()) {
                    for (int i = 0; i < jobs; i++) {
                        JobQueue.enqueue(own.sync(), job("job " + i));
                    }
                }
            });
            List<java.util.concurrent.Future<?>> workers = new java.util.ArrayList<>();
            for (int w = 0; w < 2; w++) {
                String consumer = "w" + w;
                workers.add(pool.submit(() -> {
                    try (var own = client.connect()) {
                        long deadline =
                                System.nanoTime() + Duration.ofSeconds(60).toNanos();
                        while (seen.size() < jobs && System.nanoTime() < deadline) {
                            List<StreamMessage<String, String>> taken =
                                    JobQueue.read(own.sync(), LANE, consumer, 7, Duration.ofMillis(50), false);
                            for (StreamMessage<String, String> m : taken) {
                                if (!seen.add(text(m))) {
                                    duplicates.incrementAndGet();
                                }
                            }
                            // A pending job's body must still be there (a restarted worker reads it again).
                            for (StreamMessage<String, String> m :
                                    JobQueue.read(own.sync(), LANE, consumer, 100, Duration.ZERO, true)) {
                                if (m.getBody() == null || m.getBody().isEmpty()) {
                                    lostBodies.incrementAndGet();
                                }
                            }
                            // Acknowledge out of order, the newest first, keeping the oldest pending a while.
                            for (int k = taken.size() - 1; k >= 0; k--) {
                                JobQueue.ack(own.sync(), LANE, taken.get(k).getId());
                            }
                        }
                    }
                }));
            }
            producer.get();
            for (var worker : workers) {
                worker.get();
            }
            done.set(true);
            trimmer.get();
        }

        assertThat(seen).hasSize(jobs);
        assertThat(duplicates).hasValue(0);
        assertThat(lostBodies).hasValue(0);
        assertThat(trimmed.get() + QueueTrimmer.trimLane(redis, LANE)).isEqualTo(jobs);
        assertThat(redis.xlen(QUEUE)).isZero();
        assertThat(group())
                .containsEntry("lag", "0")
                .containsEntry("pending", "0")
                .containsEntry("entries-read", String.valueOf(jobs));
    }
}
