package dev.agentic.worker.config;

import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Redis's latency and reachability as this worker sees them, on by default and nearly free: one
 * {@code PING} every {@value #EVERY_SECONDS} s on the worker's shared connection, timed into {@code
 * agentic.redis.ping} (SLO buckets 1 ms … 500 ms), and {@code agentic.redis.up}. Per-command latency
 * is {@code agentic.redis.command-latency} (opt-in: it times every command on the hot path).
 */
@Component
class RedisProbe implements AutoCloseable {
    static final long EVERY_SECONDS = 5;

    private final RedisLink connection;
    private final Timer ping;
    private volatile boolean up;
    private final ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("redis-probe").daemon().factory());

    RedisProbe(RedisLink connection, MeterRegistry meters) {
        this.connection = connection;
        this.ping = Timer.builder("agentic.redis.ping")
                .description("One PING round trip from this worker to Redis, every " + EVERY_SECONDS + " s")
                .serviceLevelObjectives(RedisSettings.latencyBuckets())
                .register(meters);
        Gauge.builder("agentic.redis.up", this, p -> p.up ? 1 : 0)
                .description("1 when this worker's last PING reached Redis, 0 when it failed")
                .register(meters);
        probe.scheduleWithFixedDelay(this::probe, 0, EVERY_SECONDS, TimeUnit.SECONDS);
    }

    /** One timed PING; a failure (refused, or no answer within the command timeout) marks Redis down. */
    private void probe() {
        long start = System.nanoTime();
        try {
            connection.sync().ping();
            ping.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            up = true;
        } catch (RuntimeException e) {
            up = false;
        }
    }

    boolean up() {
        return up;
    }

    @Override
    public void close() {
        probe.shutdownNow();
    }
}
