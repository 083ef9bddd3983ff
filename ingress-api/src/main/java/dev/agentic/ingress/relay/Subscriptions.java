package dev.agentic.ingress.relay;

import dev.agentic.model.LiveBatch;
import dev.agentic.model.LogText;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.MalformedWireDataException;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisSettings;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance's one subscription: at startup it subscribes to its own relay channel ({@link
 * RedisKeys#relayChannel}, named by a random instance id), where the emit script publishes every
 * batch of events of the requests this instance follows (the request hash's {@code relays}). Each
 * batch is handed to the listeners of its request id. Following a request is a map entry here; no
 * Redis command. The listener runs on the connection's I/O thread, so it only hands the batch over
 * and never waits on a client. Lettuce re-subscribes after a reconnect; what was published meanwhile
 * is read from the log (a cursor sees the gap).
 */
final class Subscriptions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

    private final StatefulRedisPubSubConnection<String, String> connection;
    private final String channel;
    private final Map<String, Set<Consumer<List<LoggedEvent>>>> listeners = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();

    Subscriptions(RedisConnector redisConnector) {
        this(redisConnector, newInstanceId());
    }

    Subscriptions(RedisConnector redisConnector, String instanceId) {
        this.channel = RedisKeys.relayChannel(instanceId);
        this.connection = redisConnector.connectPubSub();
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String message) {
                if (channel.equals(from)) {
                    dispatch(message);
                }
            }
        });
        RedisSettings.subscribeWaiting(connection, channel);
    }

    private static String newInstanceId() {
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** This instance's relay channel, which a request lists in its relays to reach this instance. */
    String channel() {
        return channel;
    }

    /**
     * Hands every batch of the request's events published to this instance from now on to {@code
     * listener}, until the subscription is closed.
     */
    Subscription subscribe(String requestId, Consumer<List<LoggedEvent>> listener) {
        listeners.compute(requestId, (key, set) -> {
            Set<Consumer<List<LoggedEvent>>> current = set == null ? new CopyOnWriteArraySet<>() : set;
            current.add(listener);
            return current;
        });
        active.incrementAndGet();
        return () -> unsubscribe(requestId, listener);
    }

    /** Streams currently relayed by this instance. */
    public int active() {
        return active.get();
    }

    private void unsubscribe(String requestId, Consumer<List<LoggedEvent>> listener) {
        listeners.computeIfPresent(requestId, (key, set) -> {
            if (set.remove(listener)) {
                active.decrementAndGet();
            }
            return set.isEmpty() ? null : set;
        });
    }

    private void dispatch(String message) {
        try {
            LiveBatch batch = WireCodec.decodeLiveBatch(message);
            Set<Consumer<List<LoggedEvent>>> targets = listeners.get(batch.requestId());
            if (targets != null) {
                targets.forEach(listener -> listener.accept(batch.events()));
            }
        } catch (MalformedWireDataException e) {
            log.warn(
                    "ignoring malformed live message on {}: {}", channel, LogText.safe(String.valueOf(e.getMessage())));
        }
    }

    @Override
    public void close() {
        connection.close();
    }

    /** Ends one stream's subscription. */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
