package dev.agentic.worker.consumer;

import dev.agentic.model.EventType;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.RedisSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a running job at once when its request ends elsewhere (a client's cancel, a dead letter):
 * the worker listens on the request's channel while the job runs, and a terminal event it did not
 * write stops the agent, closing the LLM stream. Without it a job would only notice at its next
 * append.
 */
public final class CancelWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CancelWatcher.class);

    private final StatefulRedisPubSubConnection<String, String> connection;
    private final Map<String, Runnable> onEnd = new ConcurrentHashMap<>();

    public CancelWatcher(RedisClient client) {
        this.connection = RedisSettings.connectWaiting(client::connectPubSub);
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                Runnable callback = onEnd.get(channel);
                if (callback != null && isTerminal(message)) {
                    callback.run();
                }
            }
        });
    }

    /**
     * Watches the request until the returned handle is closed. Best effort: if Redis is unreachable
     * the job still notices the end at its next append.
     */
    Watching watch(String requestId, Runnable ended) {
        String channel = RedisKeys.eventsChannel(requestId);
        onEnd.put(channel, ended);
        try {
            connection.sync().subscribe(channel);
        } catch (RedisException e) {
            log.debug("Query(id={}) cannot watch for cancellation: {}", requestId, e.getMessage());
        }
        return () -> {
            onEnd.remove(channel);
            try {
                connection.async().unsubscribe(channel);
            } catch (RedisException e) {
                log.debug("unsubscribe {} failed: {}", channel, e.getMessage());
            }
        };
    }

    private static boolean isTerminal(String message) {
        try {
            return EventType.isTerminal(WireCodec.decodeLiveMessage(message).type());
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        connection.close();
    }

    /** Ends one watch. */
    @FunctionalInterface
    interface Watching extends AutoCloseable {
        @Override
        void close();
    }
}
