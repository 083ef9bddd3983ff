package dev.agentic.ingress.admission;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.LaneStats;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
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

    private final RedisLink redis;
    private final IngressProperties.Admission config;
    private final Map<Lane, LaneLoad> loads = new EnumMap<>(Lane.class);
    private final Map<Lane, long[]> lastRead = new EnumMap<>(Lane.class);
    private final MeterRegistry meters;
    private final Map<Lane, LaneStats> lastStats = new EnumMap<>(Lane.class);
    private final Timer roundTrip;
    private volatile boolean redisUp;
    private volatile double[] memory = {Double.NaN, Double.NaN};
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("queue-monitor").daemon().factory());

    QueueMonitor(RedisLink redis, IngressProperties properties, MeterRegistry meters) {
        this.redis = redis;
        this.config = properties.admission();
        this.meters = meters;
        for (Lane lane : Lane.values()) {
            loads.put(lane, LaneLoad.UNKNOWN);
            // What KEDA's redis-streams scaler reads: XINFO GROUPS' lag, NaN while Redis cannot tell.
            Gauge.builder("agentic.queue.lag", this, m -> m.stat(lane, s -> s.lag() == null ? Double.NaN : s.lag()))
                    .tag("lane", lane.wireName())
                    .description(
                            "The workers group's lag on the lane as Redis reports it (XINFO GROUPS): what KEDA reads")
                    .register(meters);
            Gauge.builder("agentic.queue.waiting", this, m -> m.load(lane).lag())
                    .tag("lane", lane.wireName())
                    .description("Jobs waiting in the lane that no worker has taken yet, as admission counts them")
                    .register(meters);
            Gauge.builder("agentic.queue.depth", this, m -> m.stat(lane, LaneStats::length))
                    .tag("lane", lane.wireName())
                    .description("Entries in the lane's stream (XLEN): waiting, running and not yet trimmed")
                    .register(meters);
            Gauge.builder("agentic.queue.pending", this, m -> m.stat(lane, LaneStats::pending))
                    .tag("lane", lane.wireName())
                    .description("Jobs delivered to a worker and not yet acknowledged (running, or a dead worker's)")
                    .register(meters);
            Gauge.builder("agentic.queue.drain.rate", this, m -> m.load(lane).drainPerSecond())
                    .tag("lane", lane.wireName())
                    .description("Jobs per second workers take from the lane (smoothed)")
                    .register(meters);
        }
        Gauge.builder("agentic.redis.up", this, m -> m.redisUp ? 1 : 0)
                .description("1 when this instance's last queue sample reached Redis, 0 when it failed")
                .register(meters);
        Gauge.builder("agentic.redis.memory.used.bytes", this, m -> m.memory[0])
                .description("Redis's used_memory at the last sample")
                .register(meters);
        Gauge.builder("agentic.redis.memory.max.bytes", this, m -> m.memory[1])
                .description("Redis's maxmemory (0: no limit) at the last sample")
                .register(meters);
        this.roundTrip = Timer.builder("agentic.redis.sample")
                .description("One queue sample: the live thresholds, each lane's counters and INFO memory")
                .serviceLevelObjectives(RedisSettings.latencyBuckets())
                .register(meters);
        long interval = config.sampleInterval().toMillis();
        sampler.scheduleWithFixedDelay(this::sampleQuietly, 0, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized LaneLoad load(Lane lane) {
        return Objects.requireNonNull(loads.get(lane), "every lane has a load from the start");
    }

    /** The lane's counters at the last sample; null before it, or while the lane has no group. */
    public synchronized @Nullable LaneStats stats(Lane lane) {
        return lastStats.get(lane);
    }

    /** Takes a sample now (tests, and operators' changes that must apply at once). */
    public void sampleNow() {
        try {
            roundTrip.record(this::sample);
            redisUp = true;
        } catch (RuntimeException e) {
            redisUp = false;
            throw e;
        }
    }

    private void sampleQuietly() {
        try {
            sampleNow();
        } catch (RedisException e) {
            log.debug("queue sample failed: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("queue sample failed", e);
        }
    }

    /** A figure of the lane's last counters, NaN before the first sample or without the lane's group. */
    private synchronized double stat(Lane lane, ToDoubleFunction<LaneStats> figure) {
        LaneStats stats = lastStats.get(lane);
        return stats == null ? Double.NaN : figure.applyAsDouble(stats);
    }

    private void sample() {
        Map<String, String> live = redis.sync().hgetall(RedisKeys.ADMISSION_CONFIG);
        sampleMemory();
        long now = System.nanoTime();
        for (Lane lane : Lane.values()) {
            long maxDepth = threshold(live, lane);
            LaneStats stats = LaneStats.read(redis.sync(), lane);
            if (stats != null && ((stats.lag() == null && stats.undelivered()) || stats.lagWrong())) {
                stats = repairLag(lane, stats);
            }
            long waiting = stats == null ? 0 : stats.waiting();
            synchronized (this) {
                if (stats == null) {
                    lastStats.remove(lane);
                } else {
                    lastStats.put(lane, stats);
                }
                LaneLoad before = load(lane);
                Double read = readRate(lane, stats == null ? null : stats.entriesRead(), now);
                double rate = read == null ? before.drainPerSecond() : smoothed(before.drainPerSecond(), read);
                // The workers' pace: the read rate over an interval that began and ended with entries
                // waiting, so they were busy all through it. Any other interval says only that they
                // kept up: the pace is unknown (0) until the lane stays backlogged for a whole one.
                double pace =
                        read == null || before.lag() == 0 || waiting == 0 ? 0 : smoothed(before.pacePerSecond(), read);
                loads.put(lane, new LaneLoad(waiting, rate, maxDepth, pace));
            }
        }
    }

    /**
     * Redis lost the group's read counter (an AOF reload, an {@code XGROUP SETID}): its lag is NULL,
     * which KEDA reads as no backlog; or it has it wrong (a reload past an AOF rewrite): a lag with
     * nothing waiting, which refuses queries as queue_full and scales workers for nothing. Restores
     * it, so the lag is the backlog again within one sample; the drain rate starts over from the
     * restored counter.
     */
    private @Nullable LaneStats repairLag(Lane lane, LaneStats stats) {
        Long lag = LaneStats.repairLag(redis.sync(), lane);
        if (lag == null) {
            return stats;
        }
        meters.counter("agentic.queue.lag.repairs", "lane", lane.wireName()).increment();
        log.warn(
                "Lane(name={}) Redis had lost its group's read counter or had it wrong (lag {}, {} waiting; AOF reload or"
                        + " XGROUP SETID): restored, lag {}",
                lane.wireName(),
                stats.lag(),
                stats.next() > LaneStats.COUNTED ? "over " + LaneStats.COUNTED : stats.next(),
                lag);
        synchronized (this) {
            lastRead.remove(lane);
        }
        return LaneStats.read(redis.sync(), lane);
    }

    private void sampleMemory() {
        String info = redis.sync().info("memory");
        memory = new double[] {infoField(info, "used_memory"), infoField(info, "maxmemory")};
    }

    private static double infoField(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                try {
                    return Double.parseDouble(line.substring(name.length() + 1).strip());
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
        }
        return Double.NaN;
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

    /**
     * Entries read per second since the last sample, which this one replaces; null when it cannot be
     * told (no earlier sample, or the group's read counter is unknown or went back).
     */
    private @Nullable Double readRate(Lane lane, @Nullable Long entriesRead, long now) {
        long[] previous =
                entriesRead == null ? lastRead.remove(lane) : lastRead.put(lane, new long[] {entriesRead, now});
        if (entriesRead == null || previous == null || entriesRead < previous[0]) {
            return null;
        }
        double seconds = Math.max(1e-3, (now - previous[1]) / 1e9);
        return (entriesRead - previous[0]) / seconds;
    }

    private static double smoothed(double old, double instant) {
        return old == 0 ? instant : SMOOTHING * instant + (1 - SMOOTHING) * old;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
