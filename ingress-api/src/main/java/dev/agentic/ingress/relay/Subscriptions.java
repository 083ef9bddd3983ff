package dev.agentic.ingress.relay;

import dev.agentic.model.LogText;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.MalformedWireDataException;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.RedisSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pub/sub connection per ingress instance, shared by all its streams: each stream subscribes to
 * its request's channel. The listener runs on the connection's I/O thread, so it only hands the
 * message over and never waits on a client. Lettuce re-subscribes after a reconnect.
 */
final class Subscriptions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

    private final StatefulRedisPubSubConnection<String, String> connection;
    private final Map<String, Set<Consumer<LoggedEvent>>> listeners = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();

    Subscriptions(RedisClient client) {
        this.connection = RedisSettings.connectWaiting(client::connectPubSub);
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                dispatch(channel, message);
            }
        });
    }

    /**
     * Subscribes to the request's channel; returns once Redis has confirmed the subscription, so
     * every event published afterwards reaches {@code listener}.
     */
    Subscription subscribe(String requestId, Consumer<LoggedEvent> listener) {
        String channel = RedisKeys.eventsChannel(requestId);
        listeners.compute(channel, (key, set) -> {
            Set<Consumer<LoggedEvent>> current = set == null ? new CopyOnWriteArraySet<>() : set;
            current.add(listener);
            return current;
        });
        active.incrementAndGet();
        Subscription subscription = () -> unsubscribe(channel, listener);
        try {
            // Idempotent in Redis; the reply confirms the subscription is in place.
            connection.sync().subscribe(channel);
        } catch (RuntimeException e) {
            subscription.close();
            throw e;
        }
        return subscription;
    }

    /** Streams currently relayed by this instance. */
    public int active() {
        return active.get();
    }

    private void unsubscribe(String channel, Consumer<LoggedEvent> listener) {
        listeners.computeIfPresent(channel, (key, set) -> {
            if (!set.remove(listener)) {
                return set;
            }
            active.decrementAndGet();
            if (!set.isEmpty()) {
                return set;
            }
            // Sent while holding the entry, so a concurrent subscribe's SUBSCRIBE goes after it.
            try {
                connection.async().unsubscribe(channel);
            } catch (RuntimeException e) {
                log.debug("unsubscribe {} failed: {}", channel, LogText.safe(String.valueOf(e.getMessage())));
            }
            return null;
        });
    }

    private void dispatch(String channel, String message) {
        Set<Consumer<LoggedEvent>> targets = listeners.get(channel);
        if (targets == null) {
            return;
        }
        try {
            LoggedEvent event = WireCodec.decodeLiveMessage(message);
            targets.forEach(listener -> listener.accept(event));
        } catch (MalformedWireDataException e) {
            log.warn(
                    "ignoring malformed live message on {}: {}",
                    LogText.safe(channel),
                    LogText.safe(String.valueOf(e.getMessage())));
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
