package dev.agentic.worker.maintenance;

import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.QueueTrimmer;
import dev.agentic.redis.RedisLink;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Trims every lane's acknowledged history and the dead-letter stream once per interval (see {@link
 * QueueTrimmer}). Every worker runs it: a pass is idempotent and costs a few Redis commands, so no
 * leader is needed and trimming goes on while any worker lives.
 */
public final class QueueTrimming implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(QueueTrimming.class);

    private final RedisLink redis;
    private final Settings settings;
    private final Clock clock;
    private final MeterRegistry meters;
    private @Nullable ScheduledExecutorService scheduler;

    /**
     * @param interval time between two passes; zero switches trimming off
     * @param deadLetterMaxLength the most dead letters kept
     * @param deadLetterMaxAge dead letters older than this are removed
     */
    public record Settings(Duration interval, long deadLetterMaxLength, Duration deadLetterMaxAge) {
        public Settings {
            if (interval.isNegative() || deadLetterMaxAge.isNegative() || deadLetterMaxLength < 0) {
                throw new IllegalArgumentException("trim settings must not be negative");
            }
        }
    }

    public QueueTrimming(RedisLink redis, Settings settings, Clock clock, MeterRegistry meters) {
        this.redis = redis;
        this.settings = settings;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public synchronized void start() {
        if (scheduler != null || settings.interval().isZero()) {
            return;
        }
        long every = settings.interval().toMillis();
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("queue-trim").daemon().factory());
        scheduler.scheduleWithFixedDelay(this::trimQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

    /** One pass over every lane and the dead letters. */
    public void trimOnce() {
        RedisClusterCommands<String, String> commands = redis.sync();
        for (Lane lane : Lane.values()) {
            count(lane.wireName(), QueueTrimmer.trimLane(commands, lane));
        }
        count(
                "dead-letters",
                QueueTrimmer.trimDeadLetters(
                        commands, settings.deadLetterMaxLength(), settings.deadLetterMaxAge(), clock));
    }

    private void count(String stream, long removed) {
        if (removed > 0) {
            log.debug("Trim(stream={}) removed {} entries", stream, removed);
            meters.counter("agentic.queue.trimmed", "stream", stream).increment(removed);
        }
    }

    private void trimQuietly() {
        try {
            trimOnce();
        } catch (RedisException e) {
            log.debug("Trim of {} and the lanes failed: {}", RedisKeys.DEAD_LETTERS, e.getMessage());
        } catch (RuntimeException | Error e) { // an Error must not end the loop for good
            log.warn("Trim of {} and the lanes failed", RedisKeys.DEAD_LETTERS, e);
        }
    }
}
