package dev.agentic.redis;

import dev.agentic.model.RedisKeys;
import dev.agentic.model.Usage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Tokens and cost per tenant, agent and UTC day ({@code agentic:usage:{tenant}:yyyy-mm-dd}), with
 * the month's cost beside it for budgets. A request is counted once however often it is recorded
 * (retried replies, a reclaimed job): the script keeps the counted request ids of the day. A day's
 * (a month's) figures are kept until {@code retention} after the day (the month) ends.
 */
public final class UsageLedger {
    private static final LuaScript RECORD = LuaScript.fromResource("record-usage.lua");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM", Locale.ROOT);
    /** How long after its day the once-only guard remembers a request: far beyond any job's deadline and retries. */
    private static final Duration GUARD_TTL = Duration.ofDays(2);

    private final RedisClusterCommands<String, String> redis;
    private final Duration retention;

    /** @param retention how long a day's (and a month's) usage is kept after the day (the month) ends */
    public UsageLedger(StatefulRedisConnection<String, String> connection, Duration retention) {
        this(connection.sync(), retention);
    }

    /** The same on any synchronous command API, a cluster's too (a tenant's usage keys share its slot). */
    public UsageLedger(RedisClusterCommands<String, String> redis, Duration retention) {
        this.redis = redis;
        this.retention = retention;
    }

    /** The UTC day a request belongs to: the day it was accepted, the same for every attempt. */
    public static LocalDate dayOf(long acceptedAtMs) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(acceptedAtMs), ZoneOffset.UTC);
    }

    /** One finished request's usage. */
    public record Entry(String requestId, String agent, Usage usage) {}

    /**
     * Adds a finished request's usage to its tenant's day and month.
     *
     * @return true when counted now, false when this request had been counted already
     */
    public boolean record(String tenant, String agent, String requestId, LocalDate day, Usage usage) {
        return recordAll(tenant, day, List.of(new Entry(requestId, agent, usage))) == 1;
    }

    /**
     * Adds finished requests' usage, all of one tenant and day, in one script call: one SADD per
     * request, the figures summed and written once per agent.
     *
     * @return how many were counted now (the others had been counted already)
     */
    public int recordAll(String tenant, LocalDate day, List<Entry> entries) {
        if (entries.isEmpty()) {
            return 0;
        }
        long dayEnd = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        long monthEnd =
                day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        String[] args = new String[3 + 5 * entries.size()];
        args[0] = Long.toString(dayEnd + retention.toSeconds());
        args[1] = Long.toString(dayEnd + GUARD_TTL.toSeconds());
        args[2] = Long.toString(monthEnd + retention.toSeconds());
        int i = 3;
        for (Entry entry : entries) {
            args[i++] = entry.requestId();
            args[i++] = entry.agent();
            args[i++] = Long.toString(entry.usage().tokensIn());
            args[i++] = Long.toString(entry.usage().tokensOut());
            args[i++] = String.format(Locale.ROOT, "%.9f", entry.usage().costUsd());
        }
        String counted = RECORD.run(
                redis,
                new String[] {
                    RedisKeys.usageDay(tenant, day.toString()),
                    RedisKeys.usageCounted(tenant, day.toString()),
                    RedisKeys.usageMonth(tenant, MONTH.format(day))
                },
                args);
        return counted == null ? 0 : Integer.parseInt(counted);
    }

    /** A day's usage hash as stored (fields {@code <agent>:<figure>}); empty when nothing was used. */
    public Map<String, String> day(String tenant, LocalDate day) {
        return redis.hgetall(RedisKeys.usageDay(tenant, day.toString()));
    }

    /** The tenant's cost (USD) on a UTC day. */
    public double costOfDay(String tenant, LocalDate day) {
        return parse(redis.hget(RedisKeys.usageDay(tenant, day.toString()), RedisKeys.USAGE_TOTAL_COST_FIELD));
    }

    /** The tenant's cost (USD) in the UTC month of {@code day}. */
    public double costOfMonth(String tenant, LocalDate day) {
        return parse(redis.hget(RedisKeys.usageMonth(tenant, MONTH.format(day)), RedisKeys.USAGE_TOTAL_COST_FIELD));
    }

    private static double parse(@Nullable String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
