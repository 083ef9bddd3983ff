package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code agentic.redis.command-latency}: each command's latency, by command, or no timing at all. */
class CommandLatencyTest {
    @Test
    void timedClientsRecordEachCommandAndOthersRecordNothing() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.addRegistry(registry);
        try (RedisServer server = RedisServer.start(false, List.of())) {
            RedisClient plain =
                    new RedisSettings(server.uri(), Duration.ofSeconds(1), Duration.ofSeconds(1), false).createClient();
            try (StatefulRedisConnection<String, String> connection = plain.connect()) {
                connection.sync().set("untimed", "1");
            } finally {
                plain.shutdown();
            }
            assertThat(registry.find("lettuce.command.completion").timers()).isEmpty();

            RedisClient timed =
                    new RedisSettings(server.uri(), Duration.ofSeconds(1), Duration.ofSeconds(1), true).createClient();
            try (StatefulRedisConnection<String, String> connection = timed.connect()) {
                for (int i = 0; i < 3; i++) {
                    connection.sync().set("timed", Integer.toString(i));
                }
                connection.sync().get("timed");
            } finally {
                timed.shutdown();
            }
            Timer set = registry.find("lettuce.command.completion")
                    .tag("command", "SET")
                    .timer();
            assertThat(set).isNotNull();
            assertThat(set.count()).isEqualTo(3);
            assertThat(set.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
            assertThat(registry.find("lettuce.command.completion")
                            .tag("command", "GET")
                            .timer()
                            .count())
                    .isEqualTo(1);
        } finally {
            Metrics.removeRegistry(registry);
        }
    }
}
