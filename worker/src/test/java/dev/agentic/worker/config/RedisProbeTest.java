package dev.agentic.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The worker's scheduled PING probe against a real Redis, then a killed one. */
class RedisProbeTest {
    @Test
    void timesEachPingAndSaysWhenRedisIsGone() {
        try (RedisServer server = RedisServer.start()) {
            RedisConnector connector =
                    new RedisConnector(new RedisSettings(server.uri(), Duration.ofSeconds(1), Duration.ofSeconds(1)));
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            try (RedisLink connection = connector.connect();
                    RedisProbe probe = new RedisProbe(connection, meters)) {
                Timer ping = meters.get("agentic.redis.ping").timer();
                await().atMost(Duration.ofSeconds(5)).until(() -> ping.count() >= 1 && probe.up());
                assertThat(meters.get("agentic.redis.up").gauge().value()).isEqualTo(1.0);
                assertThat(ping.totalTime(TimeUnit.NANOSECONDS)).isPositive();

                server.kill(); // the next PING, at most EVERY_SECONDS later, is refused
                await().atMost(Duration.ofSeconds(RedisProbe.EVERY_SECONDS + 5)).until(() -> !probe.up());
                assertThat(meters.get("agentic.redis.up").gauge().value()).isZero();
            } finally {
                connector.close();
            }
        }
    }
}
