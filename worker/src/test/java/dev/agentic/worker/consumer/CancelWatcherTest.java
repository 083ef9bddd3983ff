package dev.agentic.worker.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The worker's one subscription to {@code agentic:cancel}, against a real Redis. */
class CancelWatcherTest {
    private static RedisServer server;
    private static RedisConnector connector;
    private static RedisLink connection;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        connector = new RedisConnector(new RedisSettings(server.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2)));
        connection = connector.connect();
    }

    @AfterAll
    static void stop() {
        connection.close();
        connector.close();
        server.close();
    }

    @Test
    void stopsTheWatchedJobOnItsCancelWithOneSubscriptionForAllJobs() throws Exception {
        try (CancelWatcher watcher = new CancelWatcher(connector)) {
            String watched = RequestId.newId();
            String other = RequestId.newId();
            CountDownLatch stopped = new CountDownLatch(1);
            AtomicInteger otherStops = new AtomicInteger();
            try (CancelWatcher.Watching a = watcher.watch(watched, stopped::countDown);
                    CancelWatcher.Watching b = watcher.watch(other, otherStops::incrementAndGet)) {
                // One channel, subscribed once at startup; watching a job sends no command.
                assertThat(connection.sync().pubsubChannels()).containsExactly(RedisKeys.CANCEL_CHANNEL);
                assertThat(connection.sync().publish(RedisKeys.CANCEL_CHANNEL, watched))
                        .isEqualTo(1);
                assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(otherStops.get()).isZero();
            }
            assertThat(watcher.watching()).isZero();
            connection.sync().publish(RedisKeys.CANCEL_CHANNEL, other);
            Thread.sleep(200);
            assertThat(otherStops.get()).isZero(); // its watch was closed
        }
    }
}
