package dev.agentic.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * One connection's command APIs, the same whether it reaches one Redis or a Redis Cluster (whose
 * client routes each command to its key's slot). Code written against it runs in either mode as
 * long as each script's and each multi-key command's keys share one slot.
 */
public interface RedisLink extends AutoCloseable {
    RedisClusterCommands<String, String> sync();

    RedisClusterAsyncCommands<String, String> async();

    /** Closes the connection; its commands fail from then on. */
    @Override
    void close();

    /** A standalone connection's. */
    static RedisLink of(StatefulRedisConnection<String, String> connection) {
        return new Connected(connection.sync(), connection.async(), connection::close);
    }

    /** A cluster connection's. */
    static RedisLink ofCluster(StatefulRedisClusterConnection<String, String> connection) {
        return new Connected(connection.sync(), connection.async(), connection::close);
    }

    /** A connection's APIs, taken once (Lettuce hands out the same objects every time). */
    record Connected(
            RedisClusterCommands<String, String> sync, RedisClusterAsyncCommands<String, String> async, Runnable closer)
            implements RedisLink {
        @Override
        public void close() {
            closer.run();
        }
    }
}
