package dev.agentic.ingress.limits;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.LogText;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisLink;
import io.lettuce.core.RedisException;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The limits in force, as operators set them in {@code agentic:config:limits} ({@code
 * default.<knob>} for every tenant, {@code tenant.<name>.<knob>} for one) over the configuration.
 * Read once per refresh interval, so a check costs no Redis call and every instance applies a change
 * within that interval. While Redis is unreachable the last values read stay in force.
 */
@Component
public class LiveLimits implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveLimits.class);
    static final String DEFAULT_PREFIX = "default.";
    static final String TENANT_PREFIX = "tenant.";

    private final RedisLink redis;
    private final TenantLimits configured;
    private volatile Map<String, String> live = Map.of();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("live-limits").daemon().factory());

    LiveLimits(RedisLink redis, IngressProperties properties) {
        this.redis = redis;
        this.configured = TenantLimits.of(properties.limits());
        long interval = properties.limits().refreshInterval().toMillis();
        sampler.scheduleWithFixedDelay(this::refreshQuietly, 0, interval, TimeUnit.MILLISECONDS);
    }

    /** The limits in force for the tenant. */
    public TenantLimits of(String tenant) {
        Map<String, String> current = live;
        return configured.overriddenBy(current, DEFAULT_PREFIX).overriddenBy(current, TENANT_PREFIX + tenant + ".");
    }

    /** The global values in force (configuration with the operators' {@code default.*} over it). */
    public TenantLimits defaults() {
        return configured.overriddenBy(live, DEFAULT_PREFIX);
    }

    /** Everything operators set, as stored. */
    public Map<String, String> overrides() {
        return live;
    }

    /** Reads the live values now (after an operator's change, and in tests). */
    public void refresh() {
        live = Map.copyOf(redis.sync().hgetall(RedisKeys.LIMITS_CONFIG));
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RedisException e) {
            log.debug("live limits not read: {}", LogText.safe(String.valueOf(e.getMessage())));
        } catch (RuntimeException e) {
            log.warn("live limits not read", e);
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
