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
public interface RedisLink {
    RedisClusterCommands<String, String> sync();

    RedisClusterAsyncCommands<String, String> async();

    /** A standalone connection's. */
    static RedisLink of(StatefulRedisConnection<String, String> connection) {
        return new RedisLink() {
            @Override
            public RedisClusterCommands<String, String> sync() {
                return connection.sync();
            }

            @Override
            public RedisClusterAsyncCommands<String, String> async() {
                return connection.async();
            }
        };
    }

    /** A cluster connection's. */
    static RedisLink of(StatefulRedisClusterConnection<String, String> connection) {
        return new RedisLink() {
            @Override
            public RedisClusterCommands<String, String> sync() {
                return connection.sync();
            }

            @Override
            public RedisClusterAsyncCommands<String, String> async() {
                return connection.async();
            }
        };
    }
}
