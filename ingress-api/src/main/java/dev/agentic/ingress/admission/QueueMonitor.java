package dev.agentic.ingress.admission;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
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
            Group group = group(lane);
            long waiting = group == null ? 0 : waiting(lane, group, maxDepth);
            synchronized (this) {
                double rate = smoothedRate(lane, group == null ? null : group.entriesRead(), now);
                loads.put(lane, new LaneLoad(waiting, rate, maxDepth));
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

    /** What XINFO GROUPS says of the lane's group. */
    private record Group(long lag, long entriesRead, String lastDeliveredId) {}

    private @Nullable Group group(Lane lane) {
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
                return new Group(
                        asLong(field(fields, "lag")),
                        asLong(field(fields, "entries-read")),
                        String.valueOf(field(fields, "last-delivered-id")));
            }
        }
        return null;
    }

    /**
     * Jobs no worker has taken yet. Redis's {@code lag} is estimated from counters that go stale
     * (after an AOF reload it reported 1038 with nothing waiting), so it is checked against the
     * stream itself: nothing waits when the group has delivered the last entry, and a lag that would
     * refuse work is confirmed by counting the entries after the last delivered one (at most the
     * threshold + 1, so the check stays cheap).
     */
    private long waiting(Lane lane, Group group, long maxDepth) {
        String key = RedisKeys.queue(lane);
        List<StreamMessage<String, String>> newest = redis.sync().xrevrange(key, Range.create("-", "+"), Limit.from(1));
        if (newest.isEmpty() || newest.get(0).getId().equals(group.lastDeliveredId())) {
            return 0;
        }
        if (group.lag() < maxDepth) {
            return group.lag();
        }
        return redis.sync()
                .xrange(
                        key,
                        Range.from(Range.Boundary.excluding(group.lastDeliveredId()), Range.Boundary.unbounded()),
                        Limit.from(maxDepth + 1))
                .size();
    }

    private double smoothedRate(Lane lane, @Nullable Long entriesRead, long now) {
        long[] previous = lastRead.get(lane);
        double old = loads.get(lane).drainPerSecond();
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
