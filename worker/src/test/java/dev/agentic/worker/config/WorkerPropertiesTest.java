package dev.agentic.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.model.Lane;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerPropertiesTest {

    @Test
    void keepsTheLlmKeyAndTheRedisPasswordOutOfToString() {
        WorkerProperties.Llm llm = new WorkerProperties.Llm(
                "http://llm:8000/v1",
                "m",
                "sk-very-secret",
                "prompt",
                10,
                Duration.ofSeconds(1),
                Duration.ofSeconds(2));
        WorkerProperties.Redis redis = new WorkerProperties.Redis(
                "redis://worker:redis-secret@cache:6379", Duration.ofSeconds(1), Duration.ofSeconds(1), false);

        assertThat(llm.toString()).doesNotContain("sk-very-secret").contains("http://llm:8000/v1");
        assertThat(redis.toString()).doesNotContain("redis-secret").contains("cache:6379");
    }

    @Test
    void namesTheConsumerAfterHostAndPidUnlessNamed() {
        assertThat(worker(null).consumerName())
                .endsWith("-" + ProcessHandle.current().pid());
        assertThat(worker("  ").consumerName())
                .endsWith("-" + ProcessHandle.current().pid());
        assertThat(worker("worker-7").consumerName()).isEqualTo("worker-7");
    }

    @Test
    void refusesAPollTimeoutThatWouldSpin() {
        assertThatThrownBy(() -> new WorkerProperties.Worker(
                        null,
                        1,
                        List.of(Lane.INTERACTIVE),
                        Duration.ZERO,
                        Duration.ofSeconds(1),
                        Duration.ofHours(1),
                        false,
                        Duration.ofSeconds(10),
                        5,
                        Duration.ofSeconds(10),
                        Duration.ofHours(24),
                        5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("poll-timeout");
    }

    private static WorkerProperties.Worker worker(String name) {
        return new WorkerProperties.Worker(
                name,
                1,
                List.of(Lane.INTERACTIVE),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofHours(1),
                false,
                Duration.ofSeconds(10),
                5,
                Duration.ofSeconds(10),
                Duration.ofHours(24),
                5);
    }
}
