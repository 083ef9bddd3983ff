package dev.agentic.ingress.dashboard;

import dev.agentic.ingress.admission.LaneLoad;
import dev.agentic.ingress.admission.QueueMonitor;
import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.LaneStats;
import dev.agentic.redis.RedisLink;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard's picture of the whole system: each lane's counters (from the admission sampler's
 * last sample: no Redis command), the live workers from their heartbeats, the dead letters and the
 * refusals of every instance. Read from Redis at most once per {@code
 * agentic.dashboard.overview-interval} however many dashboards ask (four commands), so watching it
 * costs the same with one viewer or a hundred.
 */
@Component
public class Overview {
    /** The most workers listed (the newest heartbeats): an overview stays a few KiB. */
    static final int MAX_WORKERS = 200;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RedisLink redis;
    private final QueueMonitor monitor;
    private final Clock clock;
    private final long intervalMs;
    private @Nullable Map<String, Object> last;
    private long lastAtMs;

    Overview(RedisLink redis, QueueMonitor monitor, Clock clock, IngressProperties properties) {
        this.redis = redis;
        this.monitor = monitor;
        this.clock = clock;
        this.intervalMs = properties.dashboard().overviewInterval().toMillis();
    }

    /** The overview, read again when the last one is older than half the interval. */
    public synchronized Map<String, Object> current() {
        long now = clock.millis();
        if (last == null || now - lastAtMs >= intervalMs / 2) {
            last = read(now);
            lastAtMs = now;
        }
        return last;
    }

    private Map<String, Object> read(long now) {
        RedisClusterCommands<String, String> commands = redis.sync();
        Map<String, Object> overview = new LinkedHashMap<>();
        overview.put("at_ms", now);
        overview.put("lanes", lanes());
        overview.put("workers", workers(commands, now));
        overview.put("dead_letters", commands.xlen(RedisKeys.DEAD_LETTERS));
        Map<String, Long> refused = new LinkedHashMap<>();
        commands.hgetall(RedisKeys.INGRESS_REFUSALS).forEach((reason, count) -> refused.put(reason, parse(count)));
        overview.put("refused", refused);
        return overview;
    }

    private Map<String, Object> lanes() {
        Map<String, Object> lanes = new LinkedHashMap<>();
        for (Lane lane : Lane.values()) {
            LaneLoad load = monitor.load(lane);
            LaneStats stats = monitor.stats(lane);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("depth", stats == null ? 0 : stats.length());
            figures.put("lag", load.lag());
            figures.put("pending", stats == null ? 0 : stats.pending());
            figures.put("max_depth", load.maxDepth());
            figures.put("drain_per_second", Math.round(load.drainPerSecond() * 10) / 10.0);
            figures.put("delivered", stats == null || stats.entriesRead() == null ? 0 : stats.entriesRead());
            lanes.put(lane.wireName(), figures);
        }
        return lanes;
    }

    /**
     * The workers in the index (the newest {@link #MAX_WORKERS} heartbeats), by name. One whose
     * heartbeat key expired (three beats missed: killed, paused, cut off from Redis) is listed as
     * {@code silent} until workers sweep it from the index; a worker that stopped cleanly left it.
     * (One {@code MGET}: in cluster mode the heartbeat keys will need one hash tag.)
     */
    private static List<Map<String, Object>> workers(RedisClusterCommands<String, String> commands, long now) {
        List<ScoredValue<String>> beats = commands.zrevrangebyscoreWithScores(
                RedisKeys.WORKERS,
                Range.create(0, Double.POSITIVE_INFINITY),
                io.lettuce.core.Limit.create(0, MAX_WORKERS));
        if (beats.isEmpty()) {
            return List.of();
        }
        String[] keys =
                beats.stream().map(beat -> RedisKeys.worker(beat.getValue())).toArray(String[]::new);
        List<KeyValue<String, String>> statuses = commands.mget(keys);
        List<Map<String, Object>> workers = new ArrayList<>();
        for (int i = 0; i < beats.size(); i++) {
            KeyValue<String, String> status = statuses.get(i);
            Map<String, Object> worker = new LinkedHashMap<>();
            worker.put("name", beats.get(i).getValue());
            worker.put("heartbeat_age_ms", Math.max(0, now - (long) beats.get(i).getScore()));
            worker.put("silent", !status.hasValue());
            if (status.hasValue()) {
                worker.putAll(described(status.getValue()));
            }
            workers.add(worker);
        }
        workers.sort(java.util.Comparator.comparing(worker -> String.valueOf(worker.get("name"))));
        return workers;
    }

    /** The heartbeat's own fields (a worker of an older version may have fewer). */
    private static Map<String, Object> described(String status) {
        try {
            Map<String, Object> fields = new LinkedHashMap<>();
            JSON.readTree(status).properties().forEach(field -> {
                if (field.getValue().isNumber()) {
                    fields.put(field.getKey(), field.getValue().longValue());
                } else if (field.getValue().isString()) {
                    fields.put(field.getKey(), field.getValue().stringValue());
                }
            });
            return fields;
        } catch (JacksonException e) {
            return Map.of();
        }
    }

    private static long parse(String count) {
        try {
            return Long.parseLong(count);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
