package dev.agentic.ingress.dashboard;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.web.ApiException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The dashboards watching the overview: one thread reads it once per interval and sends it to each
 * as an {@code overview} event. At most {@code agentic.dashboard.max-overview-streams} at once (429
 * beyond); each ends after {@link #LIFETIME} (the browser reconnects), so none is held forever.
 * A dashboard that stops reading cannot hold the others up: each send runs on its own virtual
 * thread, a stream whose last send has not finished skips the next samples, and one stuck for
 * {@link #STUCK_AFTER} is ended.
 */
@Component
class OverviewStreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OverviewStreams.class);
    static final Duration LIFETIME = Duration.ofMinutes(30);
    static final Duration STUCK_AFTER = Duration.ofSeconds(30);

    /** One dashboard's stream, and since when its send in progress has been running (0: none). */
    private record Watcher(SseEmitter emitter, java.util.concurrent.atomic.AtomicLong sendingSince) {}

    private final Overview overview;
    private final int max;
    private final List<Watcher> open = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("overview-streams").daemon().factory());

    OverviewStreams(Overview overview, IngressProperties properties) {
        this.overview = overview;
        this.max = properties.dashboard().maxOverviewStreams();
        long interval = properties.dashboard().overviewInterval().toMillis();
        sender.scheduleWithFixedDelay(this::sendQuietly, interval, interval, TimeUnit.MILLISECONDS);
    }

    synchronized SseEmitter open() {
        if (open.size() >= max) {
            throw new ApiException(
                    HttpStatus.TOO_MANY_REQUESTS,
                    "too_many_overview_streams",
                    "This instance holds its maximum of " + max + " overview streams",
                    Map.of("retry_after_seconds", 5, "retryable", true),
                    Map.of());
        }
        SseEmitter emitter = new SseEmitter(LIFETIME.toMillis());
        Watcher watcher = new Watcher(emitter, new java.util.concurrent.atomic.AtomicLong());
        emitter.onCompletion(() -> open.remove(watcher));
        emitter.onTimeout(emitter::complete);
        emitter.onError(failure -> open.remove(watcher));
        open.add(watcher);
        sender.execute(() -> send(watcher, overviewOrNull())); // the first at once
        return emitter;
    }

    private void sendQuietly() {
        if (!open.isEmpty()) {
            Map<String, Object> current = overviewOrNull();
            open.forEach(watcher -> send(watcher, current));
        }
    }

    private Map<String, Object> overviewOrNull() {
        try {
            return overview.current();
        } catch (RedisException e) {
            return Map.of("error", "redis_unavailable");
        } catch (RuntimeException e) {
            log.warn("overview failed", e);
            return Map.of("error", "internal_error");
        }
    }

    private void send(Watcher watcher, Map<String, Object> current) {
        long now = System.nanoTime();
        long since = watcher.sendingSince().get();
        if (since != 0) {
            if (now - since > STUCK_AFTER.toNanos() && open.remove(watcher)) {
                end(watcher); // it stopped reading
            }
            return;
        }
        watcher.sendingSince().set(now);
        Thread.ofVirtual().name("overview-send").start(() -> {
            try {
                watcher.emitter().send(SseEmitter.event().name("overview").data(current));
            } catch (IOException | IllegalStateException e) {
                open.remove(watcher); // the browser went away
            } finally {
                watcher.sendingSince().set(0);
            }
        });
    }

    @Override
    public void close() {
        sender.shutdownNow();
        open.forEach(OverviewStreams::end);
    }

    /**
     * Completing waits for a send in progress on the emitter (until Tomcat's write timeout for a
     * viewer that stopped reading), so it runs off the sender thread, which serves every stream.
     */
    private static void end(Watcher watcher) {
        Thread.ofVirtual().name("overview-end").start(watcher.emitter()::complete);
    }
}
