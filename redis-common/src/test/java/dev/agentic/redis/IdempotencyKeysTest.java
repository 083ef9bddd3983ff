package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {
    private static final String KEY = "agentic:idem:t:k1";

    private LocalRedis local;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void startRedis() {
        local = LocalRedis.start();
        redis = local.redis();
    }

    @AfterEach
    void stopRedis() {
        local.close();
    }

    @Test
    void claimsAFreeKeyOnlyOnce() {
        assertThat(IdempotencyKeys.claim(redis, KEY, "a|1", Duration.ofMinutes(1)))
                .isTrue();
        assertThat(IdempotencyKeys.claim(redis, KEY, "b|2", Duration.ofMinutes(1)))
                .isFalse();

        assertThat(IdempotencyKeys.current(redis, KEY)).isEqualTo("a|1");
        assertThat(redis.ttl(KEY)).isPositive();
    }

    @Test
    void takesOverOnlyTheClaimItReadAndKeepsItsTtl() {
        IdempotencyKeys.claim(redis, KEY, "a|1", Duration.ofMinutes(1));

        assertThat(IdempotencyKeys.takeOver(redis, KEY, "stale|0", "b|2")).isFalse();
        assertThat(IdempotencyKeys.takeOver(redis, KEY, "a|1", "b|2")).isTrue();
        assertThat(IdempotencyKeys.takeOver(redis, KEY, "a|1", "c|3")).isFalse();

        assertThat(IdempotencyKeys.current(redis, KEY)).isEqualTo("b|2");
        assertThat(redis.ttl(KEY)).isPositive();
    }

    @Test
    void releasesAKeyOnlyForTheRequestItIsClaimedFor() {
        IdempotencyKeys.claim(redis, KEY, "a|1", Duration.ofMinutes(1));

        IdempotencyKeys.release(redis, KEY, "b");
        assertThat(IdempotencyKeys.current(redis, KEY)).isEqualTo("a|1");

        IdempotencyKeys.release(redis, KEY, "a");
        assertThat(IdempotencyKeys.current(redis, KEY)).isNull();
    }
}
