package dev.agentic.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;

/**
 * Where an application's Redis connections come from: the shared multiplexed one, one per blocking
 * reader, and pub/sub ones. Components take connections from it rather than from a Lettuce client,
 * so that the client behind it can be a standalone one (today) or a cluster one (docs/operations.md,
 * "Past one Redis") without touching them. Each connection waits for Redis at start-up and then
 * reconnects by itself.
 */
public final class RedisConnector implements AutoCloseable {
    private final RedisSettings settings;
    private final RedisClient client;

    public RedisConnector(RedisSettings settings) {
        this.settings = settings;
        this.client = settings.createClient();
    }

    public RedisSettings settings() {
        return settings;
    }

    /** A multiplexed connection, for every non-blocking command of a component (or of the process). */
    public RedisLink connect() {
        return RedisLink.of(RedisSettings.connectWaiting(client::connect));
    }

    /** A connection of its own for blocking reads of up to {@code block} ({@link RedisSettings#connectForBlocking}). */
    public RedisLink connectForBlocking(Duration block) {
        return RedisLink.of(settings.connectForBlocking(client, block));
    }

    /** A pub/sub connection. */
    public StatefulRedisPubSubConnection<String, String> connectPubSub() {
        return RedisSettings.connectWaiting(client::connectPubSub);
    }

    /** Hears every (re)connect and disconnect of this connector's connections. */
    public void addListener(RedisConnectionStateListener listener) {
        client.addListener(listener);
    }

    /** Shuts the client down, closing every connection it opened. */
    @Override
    public void close() {
        client.shutdown();
    }
}
