package dev.agentic.ingress.relay;

import dev.agentic.redis.RedisConnector;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The relay's own beans, kept here so that {@code config} does not depend on {@code relay} (no package cycle). */
@Configuration(proxyBeanMethods = false)
class RelayConfiguration {
    /** A second connection, in pub/sub mode, shared by every open stream of this instance. */
    @Bean(destroyMethod = "close")
    Subscriptions subscriptions(RedisConnector redisConnector) {
        return new Subscriptions(redisConnector);
    }

    @Bean
    MeterBinder streamMetrics(Subscriptions subscriptions) {
        return registry -> Gauge.builder("agentic.ingress.streams.active", subscriptions, Subscriptions::active)
                .description("Streams (SSE and waiting JSON requests) relayed by this instance")
                .register(registry);
    }
}
