package dev.agentic.worker.consumer;

import dev.agentic.model.Job;
import dev.agentic.model.RedisKeys;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * The requests this worker ended, for the dashboard: each is summed up in one short JSON line
 * (id, tenant, agent, lane, status, error code, time to first token and duration, both from the
 * job's acceptance) and pushed to {@link RedisKeys#RECENT_REQUESTS} by the settlements thread, one
 * {@code LPUSH} and one {@code LTRIM} per batch of ended jobs, so the cost per request shrinks with
 * load. Bounded: the list keeps {@code agentic.trim.recent-requests} entries, and at most as many
 * wait here between two flushes (older ones are dropped when Redis is away).
 */
final class RecentRequests {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final int keep;
    private final Clock clock;
    private final ConcurrentLinkedQueue<String> unsent = new ConcurrentLinkedQueue<>();
    private final AtomicInteger unsentCount = new AtomicInteger();
    private final AtomicLong ended = new AtomicLong();

    /** @param keep entries the Redis list keeps ({@code agentic.trim.recent-requests}); 0 records none */
    RecentRequests(int keep, Clock clock) {
        if (keep < 0) {
            throw new IllegalArgumentException("keep must not be negative");
        }
        this.keep = keep;
        this.clock = clock;
    }

    /** Requests this worker ended since it started (what its heartbeat reports as jobs done). */
    long ended() {
        return ended.get();
    }

    /**
     * @param status {@code done}, {@code error} or {@code cancelled}
     * @param code the error's code; null for a done request
     * @param firstTokenAtMs when this worker wrote the first token (epoch millis), 0 for none
     */
    void record(Job job, String status, @Nullable String code, long firstTokenAtMs) {
        ended.incrementAndGet();
        if (keep == 0) {
            return;
        }
        long now = clock.millis();
        Map<String, Object> summary = new java.util.LinkedHashMap<>();
        summary.put("id", job.id());
        summary.put("tenant", job.tenant());
        summary.put("agent", job.agent());
        summary.put("lane", job.lane().wireName());
        summary.put("status", status);
        summary.put("error_code", code);
        summary.put("ttft_ms", firstTokenAtMs == 0 ? null : Math.max(0, firstTokenAtMs - job.createdAtMs()));
        summary.put("duration_ms", Math.max(0, now - job.createdAtMs()));
        summary.put("finished_at_ms", now);
        unsent.add(JSON.writeValueAsString(summary));
        if (unsentCount.incrementAndGet() > keep && unsent.poll() != null) {
            unsentCount.decrementAndGet(); // the oldest would be trimmed off the list anyway
        }
    }

    /** Pushes what was recorded since the last flush; on a Redis failure those are lost (a dashboard list). */
    void flush(RedisClusterCommands<String, String> redis) {
        List<String> batch = new ArrayList<>();
        for (String line; batch.size() < keep && (line = unsent.poll()) != null; ) {
            unsentCount.decrementAndGet();
            batch.add(line);
        }
        if (batch.isEmpty()) {
            return;
        }
        redis.lpush(RedisKeys.RECENT_REQUESTS, batch.toArray(String[]::new));
        redis.ltrim(RedisKeys.RECENT_REQUESTS, 0, keep - 1);
    }
}
