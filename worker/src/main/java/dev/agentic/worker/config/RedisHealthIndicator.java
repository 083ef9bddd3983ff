package dev.agentic.worker.config;

import dev.agentic.redis.RedisLink;
import io.lettuce.core.RedisException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Up while Redis answers PING; part of readiness. */
@Component("redis")
class RedisHealthIndicator implements HealthIndicator {
    private final RedisLink connection;

    RedisHealthIndicator(RedisLink connection) {
        this.connection = connection;
    }

    @Override
    public Health health() {
        try {
            return Health.up().withDetail("ping", connection.sync().ping()).build();
        } catch (RedisException e) {
            return Health.down()
                    .withDetail("error", String.valueOf(e.getMessage()))
                    .build();
        }
    }
}
