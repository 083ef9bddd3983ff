package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Connections come back promptly after an outage of several seconds (not after Lettuce's 30 s backoff). */
class ReconnectTest {
    @Test
    void aSubscriberHearsMessagesAgainSoonAfterRedisReturnsFromALongOutage() {
        try (RedisServer server = RedisServer.start(true, List.of())) {
            RedisClient client =
                    new RedisSettings(server.uri(), Duration.ofSeconds(1), Duration.ofSeconds(1)).createClient();
            AtomicBoolean heard = new AtomicBoolean();
            try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
                    StatefulRedisConnection<String, String> pub = client.connect()) {
                sub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        heard.set(true);
                    }
                });
                sub.sync().subscribe("agentic:events:{x}");
                server.kill();
                // Long enough for an uncapped exponential backoff to be waiting many seconds.
                await().pollDelay(Duration.ofSeconds(10))
                        .atMost(Duration.ofSeconds(11))
                        .until(() -> true);
                server.restart();
                long back = System.nanoTime();

                await().atMost(Duration.ofSeconds(4))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            try {
                                pub.sync().publish("agentic:events:{x}", "hello");
                            } catch (RuntimeException e) {
                                return false;
                            }
                            return heard.get();
                        });
                System.out.printf(
                        "subscriber heard again %d ms after Redis returned%n", (System.nanoTime() - back) / 1_000_000);
                assertThat(heard).isTrue();
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void startUpWaitsForARedisThatIsNotThereYet() throws Exception {
        try (RedisServer server = RedisServer.start(true, List.of())) {
            RedisClient client =
                    new RedisSettings(server.uri(), Duration.ofSeconds(1), Duration.ofSeconds(1)).createClient();
            try {
                server.kill();
                java.util.concurrent.CompletableFuture<StatefulRedisConnection<String, String>> connecting =
                        java.util.concurrent.CompletableFuture.supplyAsync(
                                () -> RedisSettings.connectWaiting(client::connect));
                await().pollDelay(Duration.ofMillis(1500))
                        .atMost(Duration.ofSeconds(2))
                        .until(() -> true);
                assertThat(connecting).isNotDone();
                server.restart();
                try (StatefulRedisConnection<String, String> connection =
                        connecting.get(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    assertThat(connection.sync().ping()).isEqualTo("PONG");
                }
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void aSubscriptionAskedForWhileRedisIsDownIsMadeOnceItReturns() throws Exception {
        try (RedisServer server = RedisServer.start(true, List.of())) {
            RedisClient client =
                    new RedisSettings(server.uri(), Duration.ofSeconds(1), Duration.ofSeconds(1)).createClient();
            AtomicBoolean heard = new AtomicBoolean();
            try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
                    StatefulRedisConnection<String, String> pub = client.connect()) {
                sub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        heard.set(true);
                    }
                });
                // A process starting while Redis restarts: connected, then Redis goes before SUBSCRIBE.
                server.kill();
                java.util.concurrent.CompletableFuture<Void> subscribing =
                        java.util.concurrent.CompletableFuture.runAsync(
                                () -> RedisSettings.subscribeWaiting(sub, "agentic:relay:{x}"));
                await().pollDelay(Duration.ofMillis(1500))
                        .atMost(Duration.ofSeconds(2))
                        .until(() -> true);
                assertThat(subscribing).isNotDone();
                server.restart();
                subscribing.get(30, java.util.concurrent.TimeUnit.SECONDS);

                assertThat(pub.sync().publish("agentic:relay:{x}", "hello")).isEqualTo(1L);
                await().atMost(Duration.ofSeconds(4)).untilTrue(heard);
            } finally {
                client.shutdown();
            }
        }
    }
}
