package dev.agentic.ingress.config;

import dev.agentic.ingress.relay.Subscriptions;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class IngressConfiguration {

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(IngressProperties properties) {
        return properties.redis().settings().createClient();
    }

    /** One multiplexed connection for every command of this instance; it reconnects by itself. */
    @Bean(destroyMethod = "close")
    StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
        return RedisSettings.connectWaiting(client::connect);
    }

    @Bean
    EventLog eventLog(StatefulRedisConnection<String, String> connection, IngressProperties properties, Clock clock) {
        return new EventLog(
                connection,
                properties.ingress().eventRetention(),
                properties.ingress().statusRetention(),
                clock);
    }

    /** A second connection, in pub/sub mode, shared by every open stream of this instance. */
    @Bean(destroyMethod = "close")
    Subscriptions subscriptions(RedisClient client) {
        return new Subscriptions(client);
    }

    @Bean
    MeterBinder streamMetrics(Subscriptions subscriptions) {
        return registry -> Gauge.builder("agentic.ingress.streams.active", subscriptions, Subscriptions::active)
                .description("Streams (SSE and waiting JSON requests) relayed by this instance")
                .register(registry);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
