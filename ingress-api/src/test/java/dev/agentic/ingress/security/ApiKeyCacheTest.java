package dev.agentic.ingress.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.ingress.config.IngressProperties;
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
 * What unauthenticated callers cost: Redis lookups are counted with INFO commandstats on a real
 * redis-server. Unknown key ids are cached negatively, apart from known keys, so a flood of random
 * ids never evicts a valid key.
 */
class ApiKeyCacheTest {
    private static RedisServer server;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    private final ApiKeys keys = new ApiKeys(connection, properties(), Clock.systemUTC());

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
        client = new RedisSettings(server.uri(), Duration.ofSeconds(10), Duration.ofSeconds(2)).createClient();
        connection = client.connect();
    }

    @AfterAll
    static void stopRedis() {
        client.shutdown();
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
        return new Binder(new MapConfigurationPropertySource(Map.of("agentic.security.key-cache-ttl", "10s")))
                .bindOrCreate("agentic", IngressProperties.class);
    }
}
