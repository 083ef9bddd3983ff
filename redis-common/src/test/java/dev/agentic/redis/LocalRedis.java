package dev.agentic.redis;

import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;

/** A redis-server of the test's own, with a client and one connection to it; closes all three. */
record LocalRedis(RedisServer server, RedisClient client, StatefulRedisConnection<String, String> connection)
        implements AutoCloseable {

    static LocalRedis start() {
        RedisServer server = RedisServer.start();
        RedisClient client =
                new RedisSettings(server.uri(), Duration.ofSeconds(2), Duration.ofSeconds(1)).createClient();
        return new LocalRedis(server, client, client.connect());
    }

    RedisCommands<String, String> redis() {
        return connection.sync();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
        server.close();
    }
}
