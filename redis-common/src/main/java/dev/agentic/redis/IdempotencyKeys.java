package dev.agentic.redis;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The Redis steps of the Idempotency-Key protocol, on {@code agentic:idem:<tenant>:<sha256>}: a
 * POST claims the key for its request, a retry reads the claim, takes over a stale one atomically,
 * and a POST whose request could not be queued gives its claim back. What a claim's value means
 * (request id, time, queued mark) is the ingress's; marking it queued together with the job is
 * {@link JobQueue#enqueueClaimed}.
 */
public final class IdempotencyKeys {
    private static final LuaScript TAKE_OVER = LuaScript.fromResource("take-over-claim.lua");

    private IdempotencyKeys() {}

    /** Claims the free key with {@code claim} for {@code ttl}; false when it is claimed already. */
    public static boolean claim(RedisClusterCommands<String, String> redis, String key, String claim, Duration ttl) {
        return "OK".equals(redis.set(key, claim, SetArgs.Builder.nx().ex(ttl)));
    }

    /** The key's claim; null when it has none (it expired, or was given back). */
    public static @Nullable String current(RedisClusterCommands<String, String> redis, String key) {
        return redis.get(key);
    }

    /**
     * Replaces the key's claim {@code expected} with {@code claim}, keeping its TTL, in one step;
     * false when the key no longer holds {@code expected} (another retry took it over first).
     */
    public static boolean takeOver(
            RedisClusterCommands<String, String> redis, String key, String expected, String claim) {
        return TAKE_OVER.run(redis, new String[] {key}, expected, claim) != null;
    }

    /** Gives back the key if it is still claimed for request {@code id}. */
    public static void release(RedisClusterCommands<String, String> redis, String key, String id) {
        String current = redis.get(key);
        if (current != null && current.startsWith(id + "|")) {
            redis.del(key);
        }
    }
}
