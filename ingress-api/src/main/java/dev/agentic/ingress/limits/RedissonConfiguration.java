package dev.agentic.ingress.limits;

import dev.agentic.ingress.config.IngressProperties;
import io.lettuce.core.RedisURI;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.SingleServerConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Redisson, for the limiter and the stream permits: its own small connection pool to the Redis the
 * rest of the ingress reaches with Lettuce, from the same {@code agentic.redis.*} settings (URI with
 * user, password, database and TLS; command and connect timeouts). Like the Lettuce connection it
 * fails fast (no retries), so a lost Redis is a 503 within the command timeout, and it connects
 * lazily, so an ingress starts while Redis is down.
 */
@Configuration(proxyBeanMethods = false)
class RedissonConfiguration {

    @Bean(destroyMethod = "shutdown")
    RedissonClient redissonClient(IngressProperties properties) {
        return Redisson.create(config(properties.redis()));
    }

    static Config config(IngressProperties.Redis redis) {
        RedisURI uri = RedisURI.create(redis.uri());
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setLazyInitialization(true);
        config.setThreads(2);
        config.setNettyThreads(4);
        SingleServerConfig server = config.useSingleServer()
                .setAddress((uri.isSsl() ? "rediss://" : "redis://") + host(uri) + ":" + uri.getPort())
                .setDatabase(uri.getDatabase())
                .setTimeout(millis(redis.commandTimeout()))
                .setConnectTimeout(millis(redis.connectTimeout()))
                .setRetryAttempts(0)
                .setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(16)
                .setSubscriptionConnectionMinimumIdleSize(0)
                .setSubscriptionConnectionPoolSize(1)
                .setPingConnectionInterval(5_000)
                .setKeepAlive(true);
        if (uri.getUsername() != null && !uri.getUsername().isEmpty()) {
            server.setUsername(uri.getUsername());
        }
        if (uri.getPassword() != null && uri.getPassword().length > 0) {
            server.setPassword(new String(uri.getPassword()));
        }
        return config;
    }

    private static String host(RedisURI uri) {
        String host = uri.getHost();
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static int millis(java.time.Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }
}
