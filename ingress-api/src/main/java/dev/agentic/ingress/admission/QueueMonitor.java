package dev.agentic.ingress.admission;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Samples every lane's lag and read counter (XINFO GROUPS) once per interval, derives a smoothed
 * drain rate, and reads the operators' live thresholds from {@code agentic:config:admission}. The
 * admission check then costs no Redis call; its view is at most one interval old.
 */
@Component
public class QueueMonitor implements LaneLoads, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueMonitor.class);
    private static final double SMOOTHING = 0.3;

    private final StatefulRedisConnection<String, String> redis;
    private final IngressProperties.Admission config;
    private final Map<Lane, LaneLoad> loads = new EnumMap<>(Lane.class);
    private final Map<Lane, long[]> lastRead = new EnumMap<>(Lane.class);
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("queue-monitor").daemon().factory());

    QueueMonitor(StatefulRedisConnection<String, String> redis, IngressProperties properties, MeterRegistry meters) {
        this.redis = redis;
        this.config = properties.admission();
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
        return loads.get(lane);
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
            long[] counters = groupCounters(lane);
            synchronized (this) {
                double rate = smoothedRate(lane, counters, now);
                loads.put(lane, new LaneLoad(counters == null ? 0 : counters[0], rate, maxDepth));
            }
        }
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

    /** {lag, entries-read} of the lane's group, or null when the lane has no group yet. */
    private long @Nullable [] groupCounters(Lane lane) {
        List<Object> groups;
        try {
            groups = redis.sync().xinfoGroups(RedisKeys.queue(lane));
        } catch (RedisException e) {
            if (String.valueOf(e.getMessage()).contains("no such key")) {
                return null;
            }
            throw e;
        }
        for (Object group : groups) {
            List<?> fields = (List<?>) group;
            if (RedisKeys.WORKER_GROUP.equals(field(fields, "name"))) {
                return new long[] {asLong(field(fields, "lag")), asLong(field(fields, "entries-read"))};
            }
        }
        return null;
    }

    private double smoothedRate(Lane lane, long @Nullable [] counters, long now) {
        long[] previous = lastRead.get(lane);
        double old = loads.get(lane).drainPerSecond();
        if (counters == null) {
            lastRead.remove(lane);
            return old;
        }
        lastRead.put(lane, new long[] {counters[1], now});
        if (previous == null || counters[1] < previous[0]) {
            return old;
        }
        double seconds = Math.max(1e-3, (now - previous[1]) / 1e9);
        double instant = (counters[1] - previous[0]) / seconds;
        return old == 0 ? instant : SMOOTHING * instant + (1 - SMOOTHING) * old;
    }

    private static @Nullable Object field(List<?> fields, String name) {
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if (name.equals(String.valueOf(fields.get(i)))) {
                return fields.get(i + 1);
            }
        }
        return null;
    }

    private static long asLong(@Nullable Object value) {
        if (value == null) {
            return 0;
        }
        try {
            return value instanceof Number n ? n.longValue() : Long.parseLong(value.toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
