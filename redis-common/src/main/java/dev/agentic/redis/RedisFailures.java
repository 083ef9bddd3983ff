package dev.agentic.redis;

import io.lettuce.core.RedisException;

/** Lets code that does not speak Lettuce (the ingress's HTTP edge) recognise a failed Redis command. */
public final class RedisFailures {
    private RedisFailures() {}

    /** Whether {@code e} is a Redis command that failed: Redis down, timed out or refusing the write. */
    public static boolean isRedisFailure(Throwable e) {
        return e instanceof RedisException;
    }
}
