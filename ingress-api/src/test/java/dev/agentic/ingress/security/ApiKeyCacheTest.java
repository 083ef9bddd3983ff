package dev.agentic.ingress.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * What authentication costs and how fast a change reaches every instance: Redis lookups are counted
 * with INFO commandstats on a real redis-server. A known key costs no lookup per request; unknown key
 * ids are cached negatively, apart from known keys, so a flood of random ids never evicts a valid
 * key. Two {@link ApiKeys} on their own connections stand for two ingress instances.
 */
class ApiKeyCacheTest {
    private static RedisServer server;
    private static RedisClient client;
    private static RedisConnector connector;
    private static StatefulRedisConnection<String, String> connection;

    private final ApiKeys keys = new ApiKeys(RedisLink.of(connection), connector, properties(), Clock.systemUTC());

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
        RedisSettings settings = new RedisSettings(server.uri(), Duration.ofSeconds(10), Duration.ofSeconds(2));
        client = settings.createClient();
        connection = client.connect();
        connector = new RedisConnector(settings);
    }

    @org.junit.jupiter.api.AfterEach
    void closeKeys() {
        keys.close();
    }

    @AfterAll
    static void stopRedis() {
        client.shutdown();
        connector.close();
        server.close();
    }

    @Test
    void aFloodOfUnknownKeyIdsNeverEvictsAKnownKey() {
        String valid =
                keys.create("acme", Set.of(Role.USER), Set.of("math"), "test").key();
        assertThat(keys.authenticate(valid)).isPresent();

        for (int i = 0; i < 25_000; i++) {
            assertThat(keys.authenticate(randomKey())).isEmpty();
        }
        resetStats();
        assertThat(keys.authenticate(valid)).isPresent();
        assertThat(lookups()).as("the valid key is still cached").isZero();
    }

    @Test
    void aKnownKeyCostsNoLookupPerRequest() throws InterruptedException {
        String valid =
                keys.create("acme", Set.of(Role.USER), Set.of("math"), "test").key();
        assertThat(keys.authenticate(valid)).isPresent();
        // The creation's own announcement comes back meanwhile: it must not evict the key it cached
        // (it did, and the next request looked the key up again).
        Thread.sleep(300);
        resetStats();
        for (int i = 0; i < 1000; i++) {
            assertThat(keys.authenticate(valid)).isPresent();
        }
        assertThat(lookups()).isZero();
    }

    @Test
    void aKeyRevokedOnOneInstanceStopsWorkingOnAnotherAtOnce() {
        ApiKeys other = new ApiKeys(connector.connect(), connector, properties(), Clock.systemUTC());
        try {
            ApiKeys.Created created = keys.create("acme", Set.of(Role.USER), Set.of("math"), "test");
            assertThat(other.authenticate(created.key())).isPresent(); // now cached there for 60 s

            keys.revoke(created.stored().id());

            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(1))
                    .until(() -> other.authenticate(created.key()).isEmpty());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
            assertThat(keys.authenticate(created.key())).isEmpty();
        } finally {
            other.close();
        }
    }

    @Test
    void aKeyCreatedOnOneInstanceWorksOnAnotherThatHadCachedItsIdAsUnknown() {
        ApiKeys other = new ApiKeys(connector.connect(), connector, properties(), Clock.systemUTC());
        try {
            ApiKeys.Created created = keys.create("acme", Set.of(Role.USER), Set.of("math"), "test");
            // Forget it here and remember its id as unknown there, as if presented before it existed.
            connection.sync().rename("agentic:apikey:" + created.stored().id(), "parked");
            other.forget(created.stored().id());
            assertThat(other.authenticate(created.key())).isEmpty();
            connection
                    .sync()
                    .rename("parked", "agentic:apikey:" + created.stored().id());
            connection
                    .sync()
                    .publish("agentic:apikeys:changed", created.stored().id());

            await().atMost(Duration.ofSeconds(1))
                    .until(() -> other.authenticate(created.key()).isPresent());
        } finally {
            other.close();
        }
    }

    @Test
    void aChangeMissedWhileTheSubscriptionWasDownIsForgottenWhenItReconnects() {
        String valid =
                keys.create("acme", Set.of(Role.USER), Set.of("math"), "test").key();
        String id = valid.substring(4, 20);
        assertThat(keys.authenticate(valid)).isPresent();
        // Revoked behind this instance's back (its message lost), then its subscription drops.
        connection.sync().hset("agentic:apikey:" + id, "revoked_ms", "1");
        assertThat(keys.authenticate(valid)).as("still cached").isPresent();
        connection.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());

        await().atMost(Duration.ofSeconds(5))
                .until(() -> keys.authenticate(valid).isEmpty());
    }

    @Test
    void anUnknownKeyIdPresentedAgainCostsNoFurtherLookup() {
        String unknown = randomKey();
        resetStats();
        for (int i = 0; i < 100; i++) {
            assertThat(keys.authenticate(unknown)).isEmpty();
        }
        assertThat(lookups()).isEqualTo(1);
    }

    private static String randomKey() {
        byte[] id = new byte[8];
        ThreadLocalRandom.current().nextBytes(id);
        return "agk_" + HexFormat.of().formatHex(id) + "_not-a-real-secret-0123456789";
    }

    private static void resetStats() {
        connection.sync().configResetstat();
    }

    private static long lookups() {
        Matcher calls = Pattern.compile("cmdstat_hgetall:calls=(\\d+)")
                .matcher(connection.sync().info("commandstats"));
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }

    private static IngressProperties properties() {
        return new Binder(new MapConfigurationPropertySource(Map.of("agentic.security.key-cache-ttl", "60s")))
                .bindOrCreate("agentic", IngressProperties.class);
    }
}
