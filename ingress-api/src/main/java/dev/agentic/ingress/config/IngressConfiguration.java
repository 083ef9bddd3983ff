package dev.agentic.ingress.config;

import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.redis.UsageLedger;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class IngressConfiguration {
    /** The ingress only reads the usage ledger; the retention of what it holds is the workers' setting. */
    private static final Duration USAGE_RETENTION = Duration.ofDays(400);

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(IngressProperties properties) {
        return properties.redis().settings().createClient();
    }

    /** One multiplexed connection for every command of this instance; it reconnects by itself. */
    @Bean(destroyMethod = "close")
    StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
        return RedisSettings.connectWaiting(client::connect);
    }

    /** The same connection's commands as any code that runs on a standalone Redis or a cluster takes them. */
    @Bean
    RedisLink redisLink(StatefulRedisConnection<String, String> connection) {
        return RedisLink.of(connection);
    }

    @Bean
    EventLog eventLog(StatefulRedisConnection<String, String> connection, IngressProperties properties, Clock clock) {
        return new EventLog(
                connection,
                properties.ingress().eventRetention(),
                properties.ingress().statusRetention(),
                clock);
    }

    /** Read by the budget check and the usage endpoint; workers write it (and set its retention). */
    @Bean
    UsageLedger usageLedger(StatefulRedisConnection<String, String> connection) {
        return new UsageLedger(connection, USAGE_RETENTION);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
