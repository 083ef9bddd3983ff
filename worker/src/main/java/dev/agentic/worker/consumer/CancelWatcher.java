package dev.agentic.worker.consumer;

import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisSettings;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a running job at once when its request ends elsewhere (a client's cancel, a dead letter,
 * an ingress's overdue end): every such end publishes the request id on {@link
 * RedisKeys#CANCEL_CHANNEL}, which the worker subscribes to once, at startup; the message stops the
 * matching running job, closing its LLM stream. Without it a job would only notice at its next
 * append. Watching a job is a map entry: no Redis command per job. Lettuce subscribes again after a
 * reconnect; a cancel published while disconnected is noticed at the job's next append.
 */
public final class CancelWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CancelWatcher.class);

    private final StatefulRedisPubSubConnection<String, String> connection;
    private final Map<String, Runnable> onEnd = new ConcurrentHashMap<>();

    public CancelWatcher(RedisConnector connector) {
        this.connection = connector.connectPubSub();
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String requestId) {
                if (RedisKeys.CANCEL_CHANNEL.equals(channel)) {
                    Runnable callback = onEnd.get(requestId);
                    if (callback != null) {
                        callback.run();
                    }
                }
            }
        });
        RedisSettings.subscribeWaiting(connection, RedisKeys.CANCEL_CHANNEL);
    }

    /** Watches the request until the returned handle is closed. */
    Watching watch(String requestId, Runnable ended) {
        onEnd.put(requestId, ended);
        return () -> onEnd.remove(requestId, ended);
    }

    /** Requests watched now (for tests). */
    int watching() {
        return onEnd.size();
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
