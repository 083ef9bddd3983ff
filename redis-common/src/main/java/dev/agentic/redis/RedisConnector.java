package dev.agentic.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where an application's Redis connections come from: the shared multiplexed one, one per blocking
 * reader, and pub/sub ones. Components take connections from it rather than from a Lettuce client,
 * so that the client behind it can be a standalone one or a cluster one ({@link #cluster}; the
 * applications do not offer cluster mode yet: docs/operations.md, "Past one Redis") without
 * touching them. Each connection waits for Redis at start-up and then reconnects by itself.
 */
public final class RedisConnector implements AutoCloseable {
    private final RedisSettings settings;
    private final @Nullable RedisClient standalone;
    private final @Nullable RedisClusterClient cluster;
    private @Nullable RedisClusterClient blockingCluster;
    private Duration blockingTimeout = Duration.ZERO;

    /** Connections to one Redis. */
    public RedisConnector(RedisSettings settings) {
        this(settings, settings.createClient(), null);
    }

    private RedisConnector(
            RedisSettings settings, @Nullable RedisClient standalone, @Nullable RedisClusterClient cluster) {
        this.settings = settings;
        this.standalone = standalone;
        this.cluster = cluster;
    }

    /** Connections to a Redis Cluster, seeded with the settings' URI (any node of it). */
    public static RedisConnector cluster(RedisSettings settings) {
        return new RedisConnector(settings, null, settings.createClusterClient());
    }

    public RedisSettings settings() {
        return settings;
    }

    /** A multiplexed connection, for every non-blocking command of a component (or of the process). */
    public RedisLink connect() {
        return standalone != null
                ? RedisLink.of(RedisSettings.connectWaiting(standalone::connect))
                : RedisLink.ofCluster(connectCluster());
    }

    /**
     * A connection of its own for blocking reads of up to {@code block}: its timeout covers the
     * block ({@link RedisSettings#connectForBlocking}); on a cluster, one per node it reads from.
     */
    public RedisLink connectForBlocking(Duration block) {
        if (standalone != null) {
            return RedisLink.of(settings.connectForBlocking(standalone, block));
        }
        return RedisLink.ofCluster(RedisSettings.connectWaiting(blockingClusterClient(block)::connect));
    }

    /** A pub/sub connection (on a cluster, to one node: a classic PUBLISH reaches every node). */
    public StatefulRedisPubSubConnection<String, String> connectPubSub() {
        return standalone != null
                ? RedisSettings.connectWaiting(standalone::connectPubSub)
                : RedisSettings.connectWaiting(clusterClient()::connectPubSub);
    }

    /** Hears every (re)connect and disconnect of this connector's connections. */
    public void addListener(RedisConnectionStateListener listener) {
        client().addListener(listener);
    }

    /** Shuts the client down, closing every connection it opened. */
    @Override
    public void close() {
        client().shutdown();
        synchronized (this) {
            if (blockingCluster != null) {
                blockingCluster.shutdown();
            }
        }
    }

    private StatefulRedisClusterConnection<String, String> connectCluster() {
        return RedisSettings.connectWaiting(clusterClient()::connect);
    }

    /** The cluster client of blocking reads: its timeout covers the block (one per connector: every reader blocks as long). */
    private synchronized RedisClusterClient blockingClusterClient(Duration block) {
        Duration timeout = block.plus(settings.commandTimeout());
        if (blockingCluster == null) {
            blockingCluster = settings.createClusterClient(timeout);
            blockingTimeout = timeout;
        } else if (!blockingTimeout.equals(timeout)) {
            throw new IllegalStateException("blocking reads of " + blockingTimeout + " already, not " + timeout);
        }
        return blockingCluster;
    }

    private RedisClusterClient clusterClient() {
        if (cluster == null) {
            throw new IllegalStateException("not a cluster connector");
        }
        return cluster;
    }

    private AbstractRedisClient client() {
        return standalone != null ? standalone : clusterClient();
    }
}
