package dev.agentic.ingress.admission;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.LaneStats;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Samples every lane's waiting jobs and read counter once per interval ({@link LaneStats}: counts
 * and ids only, never a job's body, so a sample of a full lane of large documents costs a few hundred
 * bytes), derives a smoothed drain rate, and reads the operators' live thresholds from {@code
 * agentic:config:admission}. The admission check then costs no Redis call; its view is at most one
 * interval old.
 */
@Component
public class QueueMonitor implements LaneLoads, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueMonitor.class);
    private static final double SMOOTHING = 0.3;

    private final StatefulRedisConnection<String, String> redis;
    private final IngressProperties.Admission config;
    private final Map<Lane, LaneLoad> loads = new EnumMap<>(Lane.class);
    private final Map<Lane, long[]> lastRead = new EnumMap<>(Lane.class);
    private final MeterRegistry meters;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("queue-monitor").daemon().factory());

    QueueMonitor(StatefulRedisConnection<String, String> redis, IngressProperties properties, MeterRegistry meters) {
        this.redis = redis;
        this.config = properties.admission();
        this.meters = meters;
        for (Lane lane : Lane.values()) {
            loads.put(lane, LaneLoad.UNKNOWN);
            Gauge.builder("agentic.queue.lag", this, m -> m.load(lane).lag())
                    .tag("lane", lane.wireName())
                    .description("Jobs waiting in the lane that no worker has taken yet")
                    .register(meters);
            Gauge.builder("agentic.queue.drain.rate", this, m -> m.load(lane).drainPerSecond())
                    .tag("lane", lane.wireName())
                    .description("Jobs per second workers take from the lane (smoothed)")
                    .register(meters);
        }
        long interval = config.sampleInterval().toMillis();
        sampler.scheduleWithFixedDelay(this::sampleQuietly, 0, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized LaneLoad load(Lane lane) {
        return Objects.requireNonNull(loads.get(lane), "every lane has a load from the start");
    }

    /** Takes a sample now (tests, and operators' changes that must apply at once). */
    public void sampleNow() {
        sample();
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RedisException e) {
            log.debug("queue sample failed: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("queue sample failed", e);
        }
    }

    private void sample() {
        Map<String, String> live = redis.sync().hgetall(RedisKeys.ADMISSION_CONFIG);
        long now = System.nanoTime();
        for (Lane lane : Lane.values()) {
            long maxDepth = threshold(live, lane);
            LaneStats stats = LaneStats.read(redis.sync(), lane);
            if (stats != null && stats.lag() == null && stats.undelivered()) {
                stats = repairLag(lane, stats);
            }
            long waiting = stats == null ? 0 : stats.waiting();
            synchronized (this) {
                double rate = smoothedRate(lane, stats == null ? null : stats.entriesRead(), now);
                loads.put(lane, new LaneLoad(waiting, rate, maxDepth));
            }
        }
    }

    /**
     * Redis lost the group's read counter (an AOF reload, an {@code XGROUP SETID}): its lag is NULL,
     * which KEDA reads as no backlog. Restores it, so the autoscaler sees the jobs waiting again
     * within one sample; the drain rate starts over from the restored counter.
     */
    private @Nullable LaneStats repairLag(Lane lane, LaneStats stats) {
        Long lag = LaneStats.repairLag(redis.sync(), lane);
        if (lag == null) {
            return stats;
        }
        meters.counter("agentic.queue.lag.repairs", "lane", lane.wireName()).increment();
        log.warn(
                "Lane(name={}) Redis had lost its group's read counter (AOF reload or XGROUP SETID): restored, lag {}",
                lane.wireName(),
                lag);
        synchronized (this) {
            lastRead.remove(lane);
        }
        return LaneStats.read(redis.sync(), lane);
    }

    private long threshold(Map<String, String> live, Lane lane) {
        String value = live.get(lane.wireName() + ".max-depth");
        if (value != null) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                log.warn("ignoring bad live threshold {}={}", lane.wireName() + ".max-depth", value);
            }
        }
        return lane == Lane.INTERACTIVE ? config.interactiveMaxDepth() : config.batchMaxDepth();
    }

    private double smoothedRate(Lane lane, @Nullable Long entriesRead, long now) {
        long[] previous = lastRead.get(lane);
        double old = load(lane).drainPerSecond();
        if (entriesRead == null) {
            lastRead.remove(lane);
            return old;
        }
        lastRead.put(lane, new long[] {entriesRead, now});
        if (previous == null || entriesRead < previous[0]) {
            return old;
        }
        double seconds = Math.max(1e-3, (now - previous[1]) / 1e9);
        double instant = (entriesRead - previous[0]) / seconds;
        return old == 0 ? instant : SMOOTHING * instant + (1 - SMOOTHING) * old;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
