package dev.agentic.worker.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueueTrimmingTest {
    private RedisServer server;
    private RedisConnector connector;
    private RedisLink connection;
    private RedisClusterCommands<String, String> redis;

    @BeforeEach
    void startRedis() {
        server = RedisServer.start();
        connector = new RedisConnector(new RedisSettings(server.uri(), Duration.ofSeconds(2), Duration.ofSeconds(1)));
        connection = connector.connect();
        redis = connection.sync();
    }

    @AfterEach
    void stopRedis() {
        connection.close();
        connector.close();
        server.close();
    }

    private static Job job(Lane lane) {
        long now = System.currentTimeMillis();
        return new Job(1, RequestId.newId(), "t", "math", "2+2", null, lane, now, now + 60_000, null);
    }

    @Test
    void trimsAnsweredJobsAndOldDeadLettersPeriodicallyWhileRunning() {
        for (Lane lane : Lane.values()) {
            JobQueue.ensureGroup(redis, lane);
            JobQueue.enqueue(redis, job(lane));
            JobQueue.enqueue(redis, job(lane));
            for (StreamMessage<String, String> m : JobQueue.read(redis, lane, "w1", 1, Duration.ZERO, false)) {
                JobQueue.ack(redis, lane, m.getId());
            }
        }
        for (int i = 0; i < 5; i++) {
            redis.xadd(RedisKeys.DEAD_LETTERS, Map.of("error", "e" + i));
        }
        QueueTrimming trimming = new QueueTrimming(
                connection,
                new QueueTrimming.Settings(Duration.ofMillis(100), 2, Duration.ofDays(7)),
                Clock.systemUTC(),
                new SimpleMeterRegistry());

        trimming.start();
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(redis.xlen(RedisKeys.DEAD_LETTERS)).isEqualTo(2);
                for (Lane lane : Lane.values()) {
                    assertThat(redis.xlen(RedisKeys.queue(lane))).isEqualTo(1);
                }
            });
        } finally {
            trimming.stop();
        }
        assertThat(trimming.isRunning()).isFalse();
    }

    @Test
    void aZeroIntervalSwitchesTrimmingOff() {
        QueueTrimming trimming = new QueueTrimming(
                connection,
                new QueueTrimming.Settings(Duration.ZERO, 2, Duration.ofDays(7)),
                Clock.systemUTC(),
                new SimpleMeterRegistry());
        trimming.start();
        assertThat(trimming.isRunning()).isFalse();
    }
}
