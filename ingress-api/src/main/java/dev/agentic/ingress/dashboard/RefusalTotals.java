package dev.agentic.ingress.dashboard;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisLink;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Adds this instance's refusals ({@code agentic.ingress.refused}, by reason) to the totals of every
 * instance in {@link RedisKeys#INGRESS_REFUSALS}, which the dashboard charts. Once per overview
 * interval, only what was refused since the last push, one {@code HINCRBY} per reason that moved:
 * a refusal itself costs no Redis command, and an instance's restart does not lower the totals.
 */
@Component
public class RefusalTotals implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RefusalTotals.class);

    private final RedisLink redis;
    private final MeterRegistry meters;
    private final Map<String, Long> pushed = new HashMap<>();
    private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("refusal-totals").daemon().factory());

    RefusalTotals(RedisLink redis, MeterRegistry meters, IngressProperties properties) {
        this.redis = redis;
        this.meters = meters;
        long interval = properties.dashboard().overviewInterval().toMillis();
        pusher.scheduleWithFixedDelay(this::pushQuietly, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Pushes what this instance refused since the last push (tests call it to push at once). */
    public synchronized void push() {
        for (Counter counter : meters.find("agentic.ingress.refused").counters()) {
            String reason = counter.getId().getTag("reason");
            long count = (long) counter.count();
            long delta = count - pushed.getOrDefault(reason, 0L);
            if (reason != null && delta > 0) {
                redis.sync().hincrby(RedisKeys.INGRESS_REFUSALS, reason, delta);
                pushed.put(reason, count);
            }
        }
    }

    private void pushQuietly() {
        try {
            push();
        } catch (RedisException e) {
            log.debug("refusal totals not pushed: {}", e.getMessage()); // pushed with the next ones
        } catch (RuntimeException e) {
            log.warn("refusal totals not pushed", e);
        }
    }

    @Override
    public void close() {
        pusher.shutdownNow();
    }
}
