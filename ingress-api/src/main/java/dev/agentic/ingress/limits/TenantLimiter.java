package dev.agentic.ingress.limits;

import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.LogText;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.UsageLedger;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.redisson.api.ratelimiter.RateLimiterArgs;
import org.redisson.client.RedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Per-tenant admission that holds across every ingress instance: budgets (from the usage ledger),
 * request rate (Redisson {@code RRateLimiter}, one sliding window for the burst and one per minute,
 * each taken atomically in Redis) and concurrent streams ({@link StreamLeases}). Refusals are 429
 * ({@code rate_limited}, {@code too_many_streams}) or 402 ({@code budget_exceeded}); a Redis that
 * cannot be asked is a 503, never a silent pass.
 */
@Component
public class TenantLimiter {
    private static final Logger log = LoggerFactory.getLogger(TenantLimiter.class);
    /** Retry-After of {@code too_many_streams}: streams end at any moment, so soon, but not at once. */
    private static final long STREAM_RETRY_SECONDS = 2;
    /** Keys of idle tenants' limiters expire after this long. */
    private static final Duration LIMITER_KEEP_ALIVE = Duration.ofHours(1);

    private final RedissonClient redisson;
    private final StatefulRedisConnection<String, String> redis;
    private final LiveLimits live;
    private final StreamLeases streams;
    private final UsageLedger ledger;
    private final Clock clock;
    private final MeterRegistry meters;
    /** The rate each limiter was last set to by this instance; set again when the live value differs. */
    private final Map<String, Window> applied = new ConcurrentHashMap<>();

    TenantLimiter(
            RedissonClient redisson,
            StatefulRedisConnection<String, String> redis,
            LiveLimits live,
            StreamLeases streams,
            UsageLedger ledger,
            Clock clock,
            MeterRegistry meters) {
        this.redisson = redisson;
        this.redis = redis;
        this.live = live;
        this.streams = streams;
        this.ledger = ledger;
        this.clock = clock;
        this.meters = meters;
    }

    /** One rate window: {@code permits} queries in any {@code interval}. */
    record Window(String name, long permits, Duration interval) {
        long seconds() {
            return Math.max(1, (interval.toMillis() + 999) / 1000);
        }
    }

    /**
     * Admits one new query of the tenant, or throws the refusal (402 over budget, 429 over a rate).
     *
     * @return the rate-limit header fields to send with the answer
     */
    public RateLimitHeaders admitQuery(String tenant) {
        TenantLimits limits = live.of(tenant);
        checkBudget(tenant, limits);
        List<Window> windows = windows(limits);
        try {
            for (Window window : windows) {
                RRateLimiter limiter = limiter(tenant, window);
                if (!tryAcquire(limiter, tenant, window)) {
                    throw rateLimited(tenant, windows, window);
                }
            }
            return headers(tenant, windows, null);
        } catch (RedisException e) {
            throw unavailable(e);
        }
    }

    /** Takes one of the tenant's stream places for as long as the stream is open, or throws 429. */
    public StreamPermit openStream(String tenant) {
        long max = live.of(tenant).maxStreams();
        if (max == 0) {
            return StreamPermit.NONE;
        }
        StreamPermit permit = streams.tryOpen(tenant, max);
        if (permit == null) {
            meters.counter("agentic.ingress.refused", "reason", "too_many_streams")
                    .increment();
            long retry = STREAM_RETRY_SECONDS;
            throw new ApiException(
                    HttpStatus.TOO_MANY_REQUESTS,
                    "too_many_streams",
                    "Tenant '" + tenant + "' has " + max + " open streams, its limit; close one or retry later",
                    Map.of("max_streams", max, "retry_after_seconds", retry));
        }
        return permit;
    }

    static List<Window> windows(TenantLimits limits) {
        List<Window> windows = new ArrayList<>(2);
        if (limits.ratePerSecond() > 0) {
            long millis = Math.max(1, (limits.burst() * 1000 + limits.ratePerSecond() - 1) / limits.ratePerSecond());
            windows.add(new Window("burst", limits.burst(), Duration.ofMillis(millis)));
        }
        if (limits.ratePerMinute() > 0) {
            windows.add(new Window("minute", limits.ratePerMinute(), Duration.ofMinutes(1)));
        }
        return windows;
    }

    private RRateLimiter limiter(String tenant, Window window) {
        return redisson.getRateLimiter(RedisKeys.rateLimiter(tenant, window.name()));
    }

    /** Sets the limiter's rate when this instance has not set it to the value in force (state kept). */
    private boolean tryAcquire(RRateLimiter limiter, String tenant, Window window) {
        String key = tenant + "/" + window.name();
        if (!window.equals(applied.get(key))) {
            configure(limiter, key, window);
        }
        try {
            return limiter.tryAcquire();
        } catch (RedisException e) {
            if (!String.valueOf(e.getMessage()).contains("not initialized")) {
                throw e;
            }
            configure(limiter, key, window); // its keys expired while idle, or Redis lost them
            return limiter.tryAcquire();
        }
    }

    private void configure(RRateLimiter limiter, String key, Window window) {
        limiter.setRate(RateLimiterArgs.of(RateType.OVERALL, window.permits(), window.interval())
                .keepAliveTime(LIMITER_KEEP_ALIVE)
                .keepState(true));
        applied.put(key, window);
    }

    private ApiException rateLimited(String tenant, List<Window> windows, Window refused) {
        meters.counter("agentic.ingress.refused", "reason", "rate_limited").increment();
        long retry = secondsUntilPermit(tenant, refused);
        RateLimitHeaders headers = headers(tenant, windows, refused);
        return new ApiException(
                HttpStatus.TOO_MANY_REQUESTS,
                "rate_limited",
                String.format(
                        Locale.ROOT,
                        "Tenant '%s' is over its rate (%d queries per %d s, window '%s'); retry after %d s",
                        tenant,
                        refused.permits(),
                        refused.seconds(),
                        refused.name(),
                        retry),
                Map.of("retry_after_seconds", retry, "limit", refused.permits(), "window_seconds", refused.seconds()),
                headers.fields());
    }

    /**
     * When the refused window frees its next permit: the oldest permit in it leaves the window then.
     * Read from the limiter's own sorted set of permits (scores are their times).
     */
    private long secondsUntilPermit(String tenant, Window window) {
        List<ScoredValue<String>> oldest =
                redis.sync().zrangeWithScores(RedisKeys.rateLimiter(tenant, window.name()) + ":permits", 0, 0);
        if (oldest.isEmpty()) {
            return 1;
        }
        double freeAt = oldest.get(0).getScore() + window.interval().toMillis();
        return Math.max(1, (long) Math.ceil((freeAt - System.currentTimeMillis()) / 1000.0));
    }

    private RateLimitHeaders headers(String tenant, List<Window> windows, @Nullable Window refused) {
        List<RateLimitHeaders.Window> states = new ArrayList<>();
        for (Window window : windows) {
            long remaining = window == refused ? 0 : limiter(tenant, window).availablePermits();
            long reset = window == refused ? secondsUntilPermit(tenant, window) : window.seconds();
            states.add(
                    new RateLimitHeaders.Window(window.name(), window.permits(), window.seconds(), remaining, reset));
        }
        return RateLimitHeaders.of(states);
    }

    private void checkBudget(String tenant, TenantLimits limits) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        if (limits.dailyBudgetUsd() > 0) {
            double spent = ledger.costOfDay(tenant, today);
            if (spent >= limits.dailyBudgetUsd()) {
                throw overBudget(tenant, "day", spent, limits.dailyBudgetUsd(), today.plusDays(1));
            }
        }
        if (limits.monthlyBudgetUsd() > 0) {
            double spent = ledger.costOfMonth(tenant, today);
            if (spent >= limits.monthlyBudgetUsd()) {
                throw overBudget(
                        tenant,
                        "month",
                        spent,
                        limits.monthlyBudgetUsd(),
                        today.withDayOfMonth(1).plusMonths(1));
            }
        }
    }

    private ApiException overBudget(String tenant, String period, double spent, double limit, LocalDate resetsOn) {
        meters.counter("agentic.ingress.refused", "reason", "budget_exceeded").increment();
        Instant resetsAt = resetsOn.atStartOfDay(ZoneOffset.UTC).toInstant();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("period", period);
        details.put("spent_usd", Math.round(spent * 1e6) / 1e6);
        details.put("limit_usd", limit);
        details.put("resets_at", resetsAt.toString());
        return new ApiException(
                HttpStatus.PAYMENT_REQUIRED,
                "budget_exceeded",
                String.format(
                        Locale.ROOT,
                        "Tenant '%s' has spent %.4f USD this %s; its budget is %.4f USD. New queries are refused until %s",
                        tenant,
                        spent,
                        period,
                        limit,
                        resetsAt),
                details);
    }

    private static ApiException unavailable(RedisException e) {
        log.warn("Redis unavailable to the limiter: {}", LogText.safe(String.valueOf(e.getMessage())));
        return ApiException.redisFailure(e);
    }
}
