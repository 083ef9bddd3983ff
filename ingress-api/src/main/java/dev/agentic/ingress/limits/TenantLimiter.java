package dev.agentic.ingress.limits;

import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.LogText;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.LuaScript;
import dev.agentic.redis.RedisLink;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Per-tenant admission that holds across every ingress instance, in one Lua script per request
 * ({@code admit.lua}, on the tenant's cluster slot): budgets (the usage ledger's day and month
 * totals), request rate (GCRA over a burst window and a minute window, in Redis time) and a stream
 * lease ({@link StreamLeases}), all taken together or none. Refusals are 429 ({@code rate_limited},
 * {@code too_many_streams}) or 402 ({@code budget_exceeded}); a Redis that cannot be asked is a 503,
 * never a silent pass.
 */
@Component
public class TenantLimiter {
    private static final Logger log = LoggerFactory.getLogger(TenantLimiter.class);
    private static final LuaScript ADMIT = LuaScript.fromResource(TenantLimiter.class, "admit.lua");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM", Locale.ROOT);
    /** Retry-After of {@code too_many_streams}: streams end at any moment, so soon, but not at once. */
    private static final long STREAM_RETRY_SECONDS = 2;

    private final RedisLink redis;
    private final LiveLimits live;
    private final StreamLeases streams;
    private final Clock clock;
    private final MeterRegistry meters;

    TenantLimiter(RedisLink redis, LiveLimits live, StreamLeases streams, Clock clock, MeterRegistry meters) {
        this.redis = redis;
        this.live = live;
        this.streams = streams;
        this.clock = clock;
        this.meters = meters;
    }

    /** One rate window: {@code permits} queries per {@code interval}, all of them at once at most. */
    record Window(String name, long permits, Duration interval) {
        long seconds() {
            return Math.max(1, (interval.toMillis() + 999) / 1000);
        }

        long micros() {
            return Math.max(1, interval.toNanos() / 1000);
        }
    }

    /**
     * What an admitted query holds: the rate-limit header fields to send, and its stream permit
     * ({@link StreamPermit#NONE} when it holds none); closing gives the permit back.
     */
    public record Admitted(RateLimitHeaders headers, StreamPermit permit) implements AutoCloseable {
        @Override
        public void close() {
            permit.close();
        }
    }

    /**
     * Admits one new query of the tenant, with a stream permit when {@code stream}, or throws the
     * refusal (402 over budget, 429 over a rate or the stream limit).
     */
    public Admitted admitQuery(String tenant, boolean stream) {
        TenantLimits limits = live.of(tenant);
        return run(tenant, limits, windows(limits), stream && limits.maxStreams() > 0);
    }

    /** Takes one of the tenant's stream places for as long as the stream is open, or throws 429. */
    public StreamPermit openStream(String tenant) {
        TenantLimits limits = live.of(tenant);
        if (limits.maxStreams() == 0) {
            return StreamPermit.NONE;
        }
        return run(tenant, new TenantLimits(0, 1, 0, limits.maxStreams(), 0, 0), List.of(), true)
                .permit();
    }

    private Admitted run(String tenant, TenantLimits limits, List<Window> windows, boolean stream) {
        boolean budgeted = limits.dailyBudgetUsd() > 0 || limits.monthlyBudgetUsd() > 0;
        if (windows.isEmpty() && !budgeted && !stream) {
            return new Admitted(RateLimitHeaders.NONE, StreamPermit.NONE);
        }
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        Window burst = window(windows, "burst");
        Window minute = window(windows, "minute");
        String leaseId = stream ? streams.newLeaseId() : "";
        List<Object> reply;
        try {
            reply = ADMIT.runMulti(
                    redis.sync(),
                    new String[] {RedisKeys.rateLimiter(tenant), RedisKeys.streamPermits(tenant)},
                    Double.toString(limits.dailyBudgetUsd()),
                    Double.toString(limits.monthlyBudgetUsd()),
                    Long.toString(burst == null ? 0 : burst.permits()),
                    Long.toString(burst == null ? 1 : burst.micros()),
                    Long.toString(minute == null ? 0 : minute.permits()),
                    Long.toString(minute == null ? 1 : minute.micros()),
                    leaseId,
                    Long.toString(limits.maxStreams()),
                    Long.toString(streams.lease().toMillis()),
                    RedisKeys.usageDay(tenant, today.toString()),
                    RedisKeys.usageMonth(tenant, MONTH.format(today)));
        } catch (RedisException e) {
            throw unavailable(e);
        }
        String verdict = String.valueOf(reply.get(0));
        return switch (verdict) {
            case "ok" ->
                new Admitted(
                        headers(windows, burst, minute, reply, 1),
                        stream ? streams.hold(tenant, leaseId) : StreamPermit.NONE);
            case "budget" -> throw overBudget(tenant, limits, String.valueOf(reply.get(1)), reply.get(2), today);
            case "rate" -> {
                Window refused = number(reply.get(1)) == 1 ? burst : minute;
                throw rateLimited(tenant, refused, number(reply.get(2)), headers(windows, burst, minute, reply, 3));
            }
            case "streams" -> throw tooManyStreams(tenant, limits.maxStreams());
            default -> throw new IllegalStateException("unexpected admission reply " + verdict);
        };
    }

    static List<Window> windows(TenantLimits limits) {
        List<Window> windows = new ArrayList<>(2);
        if (limits.ratePerSecond() > 0) {
            long micros =
                    Math.max(1, (limits.burst() * 1_000_000 + limits.ratePerSecond() - 1) / limits.ratePerSecond());
            windows.add(new Window("burst", limits.burst(), Duration.ofNanos(micros * 1000)));
        }
        if (limits.ratePerMinute() > 0) {
            windows.add(new Window("minute", limits.ratePerMinute(), Duration.ofMinutes(1)));
        }
        return windows;
    }

    private static @Nullable Window window(List<Window> windows, String name) {
        for (Window window : windows) {
            if (window.name().equals(name)) {
                return window;
            }
        }
        return null;
    }

    /** The header fields from the script's remaining/reset pairs (burst at {@code at}, minute after). */
    private static RateLimitHeaders headers(
            List<Window> windows, @Nullable Window burst, @Nullable Window minute, List<Object> reply, int at) {
        List<RateLimitHeaders.Window> states = new ArrayList<>(2);
        for (Window window : windows) {
            int offset = window == burst ? at : window == minute ? at + 2 : -1;
            if (offset < 0) {
                continue;
            }
            states.add(new RateLimitHeaders.Window(
                    window.name(),
                    window.permits(),
                    window.seconds(),
                    number(reply.get(offset)),
                    number(reply.get(offset + 1))));
        }
        return RateLimitHeaders.of(states);
    }

    private static long number(Object value) {
        return value instanceof Long n ? n : Long.parseLong(String.valueOf(value));
    }

    private ApiException rateLimited(String tenant, @Nullable Window refused, long retry, RateLimitHeaders headers) {
        meters.counter("agentic.ingress.refused", "reason", "rate_limited").increment();
        if (refused == null) {
            throw new IllegalStateException("a window refused that is not in force");
        }
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

    private ApiException tooManyStreams(String tenant, long max) {
        meters.counter("agentic.ingress.refused", "reason", "too_many_streams").increment();
        return new ApiException(
                HttpStatus.TOO_MANY_REQUESTS,
                "too_many_streams",
                "Tenant '" + tenant + "' has " + max + " open streams, its limit; close one or retry later",
                Map.of("max_streams", max, "retry_after_seconds", STREAM_RETRY_SECONDS));
    }

    private ApiException overBudget(
            String tenant, TenantLimits limits, String period, Object spentReply, LocalDate today) {
        double spent = Double.parseDouble(String.valueOf(spentReply));
        return period.equals("day")
                ? overBudget(tenant, "day", spent, limits.dailyBudgetUsd(), today.plusDays(1))
                : overBudget(
                        tenant,
                        "month",
                        spent,
                        limits.monthlyBudgetUsd(),
                        today.withDayOfMonth(1).plusMonths(1));
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
