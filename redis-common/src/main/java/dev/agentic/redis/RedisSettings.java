package dev.agentic.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to reach Redis.
 *
 * @param uri {@code redis://[user:password@]host:port[/db]}, or {@code rediss://} for TLS
 * @param commandTimeout how long one command may take before it fails; keep it short so a dead
 *     Redis becomes a 503 rather than a hung request
 * @param connectTimeout how long a (re)connect attempt may take
 * @param commandLatency time every command into Micrometer, by command ({@code lettuce.command.*} timers)
 */
public record RedisSettings(String uri, Duration commandTimeout, Duration connectTimeout, boolean commandLatency) {
    /** The SLO buckets of the applications' Redis latency timers (a queue sample, a PING): 1 ms … 500 ms. */
    public static Duration[] latencyBuckets() {
        return new Duration[] {
            Duration.ofMillis(1),
            Duration.ofMillis(5),
            Duration.ofMillis(25),
            Duration.ofMillis(100),
            Duration.ofMillis(500)
        };
    }

    public RedisSettings {
        RedisURI.create(uri); // fails early on a malformed URI
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("command timeout must be positive");
        }
    }

    /** Settings whose clients do not time each command. */
    public RedisSettings(String uri, Duration commandTimeout, Duration connectTimeout) {
        this(uri, commandTimeout, connectTimeout, false);
    }

    /**
     * A client whose connections reconnect by themselves and, while disconnected, reject commands at
     * once instead of queueing them. A command without a reply within its connection's timeout fails
     * ({@code TimeoutOptions}); the synchronous API relies on that alone ({@link UntimedSyncClient}).
     */
    public RedisClient createClient() {
        RedisURI target = RedisURI.create(uri);
        target.setTimeout(commandTimeout);
        RedisClient client =
                new UntimedSyncClient(commandLatency ? Metered.INSTANCE : SharedResources.INSTANCE, target);
        client.setOptions(clientOptions());
        return client;
    }

    private ClientOptions clientOptions() {
        return ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // Each connection's own timeout: the command timeout, longer for blocking reads.
                .timeoutOptions(TimeoutOptions.enabled())
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(connectTimeout)
                        .keepAlive(true)
                        .build())
                .build();
    }

    /**
     * A Redis Cluster client with the same behaviour ({@link #createClient}), seeded with this URI
     * (any node; the client discovers the others), that follows the cluster's topology: every 10 s,
     * and at once when a node answers MOVED or ASK or a connection drops, so a failover or a slot
     * migration is seen within seconds.
     */
    public RedisClusterClient createClusterClient() {
        return createClusterClient(commandTimeout);
    }

    /**
     * The same with another command timeout. A cluster connection's {@code setTimeout} does not
     * reach the connections to its nodes, which expire commands by the client's timeout, so
     * blocking reads need a client of their own whose timeout covers the block
     * ({@code RedisConnectorClusterTest}).
     */
    public RedisClusterClient createClusterClient(Duration timeout) {
        RedisURI seed = RedisURI.create(uri);
        seed.setTimeout(timeout);
        RedisClusterClient client =
                RedisClusterClient.create(commandLatency ? Metered.INSTANCE : SharedResources.INSTANCE, seed);
        client.setOptions(ClusterClientOptions.builder(clientOptions())
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(10))
                        .enableAllAdaptiveRefreshTriggers()
                        .build())
                .build());
        return client;
    }

    /**
     * One set of event loops for every client of the process, with a reconnect delay capped at one
     * second: Lettuce's default backs off exponentially to 30 s, so after a few seconds of Redis
     * outage the next attempt could come many seconds after Redis is back, and pub/sub relays would
     * stall that long.
     */
    private static final class SharedResources {
        static final ClientResources INSTANCE = builder().build();

        static DefaultClientResources.Builder builder() {
            return DefaultClientResources.builder()
                    .reconnectDelay(
                            Delay.exponential(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS));
        }
    }

    /**
     * The same, and each command's latency goes to Micrometer's global registry (Spring Boot adds
     * the application's registry to it) as {@code lettuce.command.completion} and {@code
     * lettuce.command.firstresponse}, tagged by command: counts, sums and maxima, no client-side
     * percentiles; the applications give the completion timer SLO buckets.
     */
    private static final class Metered {
        static final ClientResources INSTANCE = SharedResources.builder()
                .commandLatencyRecorder(new MicrometerCommandLatencyRecorder(
                        Metrics.globalRegistry,
                        MicrometerOptions.builder()
                                .targetPercentiles(new double[0])
                                .build()))
                .build();
    }

    private static final Logger LOG = LoggerFactory.getLogger(RedisSettings.class);

    /** How long start-up waits for Redis before it gives up. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(120);

    /**
     * Connects, waiting for Redis if it is down (a process started during a Redis outage, or before
     * Redis in a deployment): once connected, Lettuce reconnects by itself.
     */
    public static <T> T connectWaiting(java.util.function.Supplier<T> connect) {
        return retryingUntilStarted("Redis not reachable yet", RedisConnectionException.class, connect);
    }

    /**
     * Runs {@code action} until it does not throw {@code retried}, every 500 ms for at most {@link
     * #STARTUP_WAIT}; then its last failure is thrown.
     */
    private static <T> T retryingUntilStarted(
            String waiting, Class<? extends RedisException> retried, java.util.function.Supplier<T> action) {
        long deadline = System.nanoTime() + STARTUP_WAIT.toNanos();
        while (true) {
            try {
                return action.get();
            } catch (RedisException e) {
                if (!retried.isInstance(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.warn("{} ({}); retrying", waiting, e.getMessage());
                pauseBeforeRetry(e);
            }
        }
    }

    private static void pauseBeforeRetry(RedisException cause) {
        try {
            Thread.sleep(500);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }

    /**
     * Subscribes, waiting for Redis if it went away after the connection was made (a process started
     * during a Redis restart). Lettuce re-subscribes after a reconnect only to the channels whose
     * subscription Redis confirmed, so a refused {@code SUBSCRIBE} must be asked for again.
     */
    public static void subscribeWaiting(StatefulRedisPubSubConnection<String, String> connection, String... channels) {
        retryingUntilStarted("cannot subscribe yet", RedisException.class, () -> {
            connection.sync().subscribe(channels);
            return null;
        });
    }

    /**
     * A connection for blocking reads ({@code XREADGROUP BLOCK}): its timeout covers the block time,
     * and it must not be shared, since a blocked connection delays every other command on it.
     */
    public StatefulRedisConnection<String, String> connectForBlocking(RedisClient client, Duration block) {
        StatefulRedisConnection<String, String> connection = connectWaiting(client::connect);
        connection.setTimeout(block.plus(commandTimeout));
        return connection;
    }

    /** Where the URI points, without credentials, for logs. */
    public String redactedUri() {
        RedisURI parsed = RedisURI.create(uri);
        return (parsed.isSsl() ? "rediss://" : "redis://") + parsed.getHost() + ":" + parsed.getPort();
    }

    @Override
    public String toString() {
        return "RedisSettings[uri=" + redactedUri() + ", commandTimeout=" + commandTimeout + ", connectTimeout="
                + connectTimeout + ", commandLatency=" + commandLatency + "]";
    }
}
