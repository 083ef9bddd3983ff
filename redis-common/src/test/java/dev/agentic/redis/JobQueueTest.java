package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.WireCodec;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JobQueueTest {
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

    private static Job job() {
        long now = System.currentTimeMillis();
        return new Job(1, RequestId.newId(), "t", "math", "2+2", null, Lane.INTERACTIVE, now, now + 1000, null);
    }

    @Test
    void enqueueClaimedQueuesTheJobAndMarksItsKeyInOneStep() {
        Job job = job();
        redis.setex("agentic:idem:t:k1", 60, job.id() + "|1");

        JobQueue.enqueueClaimed(redis, job, "agentic:idem:t:k1", job.id() + "|" + job.deadlineMs() + "|q");

        assertThat(redis.get("agentic:idem:t:k1")).isEqualTo(job.id() + "|" + job.deadlineMs() + "|q");
        assertThat(redis.ttl("agentic:idem:t:k1")).isPositive();
        List<StreamMessage<String, String>> queued =
                redis.xrange(RedisKeys.queue(Lane.INTERACTIVE), io.lettuce.core.Range.create("-", "+"));
        assertThat(queued)
                .singleElement()
                .satisfies(m -> assertThat(WireCodec.decodeJob(m.getBody().get(RedisKeys.JOB_FIELD)))
                        .isEqualTo(job));
    }

    @Test
    void enqueueClaimedStillQueuesTheJobWhenItsKeyHasExpired() {
        Job job = job();

        JobQueue.enqueueClaimed(redis, job, "agentic:idem:t:gone", job.id() + "|1|q");

        assertThat(redis.exists("agentic:idem:t:gone")).isZero();
        assertThat(redis.xlen(RedisKeys.queue(Lane.INTERACTIVE))).isEqualTo(1);
    }

    @Test
    void deliversEachJobToOneConsumerAndKeepsItPendingUntilAcked() {
        JobQueue.ensureGroup(redis, Lane.INTERACTIVE);
        Job job = job();
        JobQueue.enqueue(redis, job);

        List<StreamMessage<String, String>> first =
                JobQueue.read(redis, Lane.INTERACTIVE, "w1", 10, Duration.ZERO, false);
        assertThat(first)
                .singleElement()
                .satisfies(m -> assertThat(WireCodec.decodeJob(m.getBody().get(RedisKeys.JOB_FIELD)))
                        .isEqualTo(job));
        assertThat(JobQueue.read(redis, Lane.INTERACTIVE, "w2", 10, Duration.ZERO, false))
                .isEmpty();
        assertThat(JobQueue.read(redis, Lane.INTERACTIVE, "w1", 10, Duration.ZERO, true))
                .hasSize(1);

        JobQueue.ack(redis, Lane.INTERACTIVE, first.get(0).getId());
        assertThat(JobQueue.read(redis, Lane.INTERACTIVE, "w1", 10, Duration.ZERO, true))
                .isEmpty();
    }

    @Test
    void blockingReadMayOutlastTheCommandTimeout() {
        JobQueue.ensureGroup(redis, Lane.INTERACTIVE);
        RedisSettings settings = new RedisSettings(server.uri(), Duration.ofMillis(300), Duration.ofSeconds(1));
        RedisClient shortTimeouts = settings.createClient();
        try (var blocking = settings.connectForBlocking(shortTimeouts, Duration.ofSeconds(1))) {
            assertThat(JobQueue.read(blocking.sync(), Lane.INTERACTIVE, "w1", 1, Duration.ofSeconds(1), false))
                    .isEmpty();
        } finally {
            shortTimeouts.shutdown();
        }
    }

    @Test
    void abandonedEntriesAreClaimedWithTheirDeliveryCountRaisedButFreshOnesAreNot() {
        JobQueue.ensureGroup(redis, Lane.INTERACTIVE);
        JobQueue.enqueue(redis, job());
        String entry = JobQueue.read(redis, Lane.INTERACTIVE, "dead", 1, Duration.ZERO, false)
                .get(0)
                .getId();

        assertThat(JobQueue.claimAbandoned(redis, Lane.INTERACTIVE, "alive", Duration.ofMinutes(1), 10))
                .isEmpty();
        assertThat(JobQueue.claimAbandoned(redis, Lane.INTERACTIVE, "alive", Duration.ZERO, 10))
                .extracting(StreamMessage::getId)
                .containsExactly(entry);
        assertThat(JobQueue.deliveryCounts(redis, Lane.INTERACTIVE, "alive", 10))
                .containsEntry(entry, 2L);
    }

    @Test
    void findsAnAbandonedEntryBehindManyLiveOnes() {
        JobQueue.ensureGroup(redis, Lane.INTERACTIVE);
        for (int i = 0; i < 40; i++) {
            JobQueue.enqueue(redis, job());
        }
        List<String> live = JobQueue.read(redis, Lane.INTERACTIVE, "busy", 40, Duration.ZERO, false).stream()
                .map(StreamMessage::getId)
                .toList();
        JobQueue.enqueue(redis, job());
        String abandoned = JobQueue.read(redis, Lane.INTERACTIVE, "dead", 1, Duration.ZERO, false)
                .get(0)
                .getId();
        JobQueue.release(redis, Lane.INTERACTIVE, "dead", List.of(abandoned), Duration.ofMinutes(5));
        JobQueue.refresh(redis, Lane.INTERACTIVE, "busy", live);

        assertThat(JobQueue.claimAbandoned(redis, Lane.INTERACTIVE, "other", Duration.ofMinutes(1), 1))
                .extracting(StreamMessage::getId)
                .containsExactly(abandoned);
    }

    @Test
    void refreshingKeepsARunningJobFromBeingReclaimed() {
        JobQueue.ensureGroup(redis, Lane.INTERACTIVE);
        JobQueue.enqueue(redis, job());
        String entry = JobQueue.read(redis, Lane.INTERACTIVE, "busy", 1, Duration.ZERO, false)
                .get(0)
                .getId();
        redis.xclaim(
                RedisKeys.queue(Lane.INTERACTIVE),
                io.lettuce.core.Consumer.from(RedisKeys.WORKER_GROUP, "busy"),
                io.lettuce.core.XClaimArgs.Builder.justid().minIdleTime(0).idle(Duration.ofMinutes(5)),
                entry);

        JobQueue.refresh(redis, Lane.INTERACTIVE, "busy", List.of(entry));

        assertThat(JobQueue.claimAbandoned(redis, Lane.INTERACTIVE, "other", Duration.ofMinutes(1), 10))
                .isEmpty();
        assertThat(JobQueue.deliveryCounts(redis, Lane.INTERACTIVE, "busy", 10)).containsEntry(entry, 1L);
    }

    @Test
    void releasedEntriesAreReclaimedAtOnce() {
        JobQueue.ensureGroup(redis, Lane.INTERACTIVE);
        JobQueue.enqueue(redis, job());
        String entry = JobQueue.read(redis, Lane.INTERACTIVE, "leaving", 1, Duration.ZERO, false)
                .get(0)
                .getId();

        JobQueue.release(redis, Lane.INTERACTIVE, "leaving", List.of(entry), Duration.ofMinutes(1));

        assertThat(JobQueue.claimAbandoned(redis, Lane.INTERACTIVE, "other", Duration.ofMinutes(1), 10))
                .extracting(StreamMessage::getId)
                .containsExactly(entry);
    }

    @Test
    void ensureGroupIsIdempotent() {
        JobQueue.ensureGroup(redis, Lane.BATCH);
        JobQueue.ensureGroup(redis, Lane.BATCH);
        assertThat(redis.xinfoGroups(RedisKeys.queue(Lane.BATCH))).hasSize(1);
    }

    @Test
    void missingGroupIsRecognisedAndRecreated() {
        assertThatThrownBy(() -> JobQueue.read(redis, Lane.INTERACTIVE, "w1", 1, Duration.ZERO, false))
                .isInstanceOfSatisfying(
                        RedisException.class,
                        e -> assertThat(JobQueue.isMissingGroup(e)).isTrue());
        JobQueue.ensureGroup(redis, Lane.INTERACTIVE);
        assertThat(JobQueue.read(redis, Lane.INTERACTIVE, "w1", 1, Duration.ZERO, false))
                .isEmpty();
    }

    @Test
    void commandsFailFastWhileRedisIsDown() {
        server.kill();
        long start = System.nanoTime();
        assertThatThrownBy(() -> redis.ping()).isInstanceOf(RedisException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void refreshLeavesAnEntryThatAnotherConsumerReclaimedWithIt() {
        JobQueue.ensureGroup(redis, Lane.INTERACTIVE);
        JobQueue.enqueue(redis, job());
        JobQueue.enqueue(redis, job());
        List<StreamMessage<String, String>> taken =
                JobQueue.read(redis, Lane.INTERACTIVE, "paused", 2, Duration.ZERO, false);
        String stolen = taken.get(0).getId();
        String kept = taken.get(1).getId();
        // "paused" stopped refreshing past the reclaim timeout; "survivor" reclaimed one entry.
        redis.xclaim(
                RedisKeys.queue(Lane.INTERACTIVE),
                io.lettuce.core.Consumer.from(RedisKeys.WORKER_GROUP, "survivor"),
                io.lettuce.core.XClaimArgs.Builder.minIdleTime(0),
                stolen);

        List<String> lost = JobQueue.refresh(redis, Lane.INTERACTIVE, "paused", List.of(stolen, kept));

        assertThat(lost).containsExactly(stolen);
        assertThat(JobQueue.pendingOf(redis, Lane.INTERACTIVE, "survivor", 10))
                .extracting(io.lettuce.core.models.stream.PendingMessage::getId)
                .containsExactly(stolen);
        assertThat(JobQueue.pendingOf(redis, Lane.INTERACTIVE, "paused", 10))
                .extracting(io.lettuce.core.models.stream.PendingMessage::getId)
                .containsExactly(kept);
    }
}
