package dev.agentic.worker;

import static dev.agentic.worker.RedisProbe.terminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.StreamEvent;
import dev.agentic.testsupport.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A worker whose Redis is killed and comes back empty (no persistence): the consumer loop survives
 * the outage, recreates its group and takes new jobs. One slot, so a slot lost to a failed read
 * would stop the worker for good.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WorkerRedisRestartTest {
    private static RedisServer redisServer;

    @BeforeAll
    static void startRedis() {
        redisServer = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redisServer != null) {
            redisServer.close();
        }
    }

    @DynamicPropertySource
    static void workerProperties(DynamicPropertyRegistry registry) {
        registry.add("agentic.redis.uri", () -> redisServer.uri());
        registry.add("agentic.worker.name", () -> "restart-worker");
        registry.add("agentic.worker.poll-timeout", () -> "500ms");
        registry.add("agentic.worker.concurrency", () -> "1");
        registry.add("agentic.worker.shutdown-grace", () -> "2s");
    }

    @Test
    void resumesConsumingAfterRedisRestartsEmpty() {
        try (RedisProbe before = new RedisProbe(redisServer.uri())) {
            Job job = before.submit("math", "What is 1+1?");
            assertThat(terminal(before.awaitTerminal(job))).isInstanceOf(StreamEvent.Done.class);
        }

        redisServer.restart();

        try (RedisProbe after = new RedisProbe(redisServer.uri())) {
            await("worker recreates its consumer group")
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> after.group(Lane.INTERACTIVE).isPresent());
            Job job = after.submit("math", "What is 3+3?");
            assertThat(terminal(after.awaitTerminal(job))).isInstanceOf(StreamEvent.Done.class);
            after.awaitDrained();
            after.assertEveryRequestEndedOnce();
        }
    }
}
