package dev.agentic.ingress.config;

import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.UsageLedger;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class IngressConfiguration {
    /** The ingress only reads the usage ledger; the retention of what it holds is the workers' setting. */
    private static final Duration USAGE_RETENTION = Duration.ofDays(400);

    @Bean(destroyMethod = "close")
    RedisConnector redisConnector(IngressProperties properties) {
        return new RedisConnector(properties.redis().settings());
    }

    /** One multiplexed connection for every command of this instance; it reconnects by itself. */
    @Bean(destroyMethod = "close")
    RedisLink redisLink(RedisConnector connector) {
        return connector.connect();
    }

    @Bean
    EventLog eventLog(RedisLink redis, IngressProperties properties, Clock clock) {
        return new EventLog(
                redis.sync(),
                properties.ingress().eventRetention(),
                properties.ingress().statusRetention(),
                clock);
    }

    /** Read by the budget check and the usage endpoint; workers write it (and set its retention). */
    @Bean
    UsageLedger usageLedger(RedisLink redis) {
        return new UsageLedger(redis.sync(), USAGE_RETENTION);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
