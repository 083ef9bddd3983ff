package dev.agentic.ingress.limits;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.LogText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits in force for one tenant: its own overrides, else the operators' global values, else the
 * configuration. {@code 0} means no limit.
 *
 * @param ratePerSecond average new queries per second
 * @param burst queries at once before the per-second rate applies
 * @param ratePerMinute new queries per minute
 * @param maxStreams open streams at once
 * @param dailyBudgetUsd cost per UTC day
 * @param monthlyBudgetUsd cost per UTC month
 */
public record TenantLimits(
        long ratePerSecond,
        long burst,
        long ratePerMinute,
        long maxStreams,
        double dailyBudgetUsd,
        double monthlyBudgetUsd) {
    private static final Logger log = LoggerFactory.getLogger(TenantLimits.class);

    /** Knob names, as in {@code agentic.limits.*} and in the live hash. */
    public static final List<String> KNOBS = List.of(
            "rate-per-second", "burst", "rate-per-minute", "max-streams", "daily-budget-usd", "monthly-budget-usd");

    public TenantLimits {
        if (ratePerSecond < 0 || burst < 1 || ratePerMinute < 0 || maxStreams < 0) {
            throw new IllegalArgumentException("limits must not be negative, burst at least 1");
        }
        if (!(dailyBudgetUsd >= 0) || !(monthlyBudgetUsd >= 0)) {
            throw new IllegalArgumentException("budgets must not be negative");
        }
    }

    static TenantLimits of(IngressProperties.Limits config) {
        return new TenantLimits(
                config.ratePerSecond(),
                config.burst(),
                config.ratePerMinute(),
                config.maxStreams(),
                config.dailyBudgetUsd(),
                config.monthlyBudgetUsd());
    }

    /** These limits with the values present in {@code live} (keys {@code prefix + knob}) put over them. */
    TenantLimits overriddenBy(Map<String, String> live, String prefix) {
        Function<String, @Nullable String> get = knob -> live.get(prefix + knob);
        return new TenantLimits(
                whole(get, "rate-per-second", ratePerSecond, 0),
                whole(get, "burst", burst, 1),
                whole(get, "rate-per-minute", ratePerMinute, 0),
                whole(get, "max-streams", maxStreams, 0),
                usd(get, "daily-budget-usd", dailyBudgetUsd),
                usd(get, "monthly-budget-usd", monthlyBudgetUsd));
    }

    /** As the admin API shows them. */
    public Map<String, Object> describe() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("rate_per_second", ratePerSecond);
        values.put("burst", burst);
        values.put("rate_per_minute", ratePerMinute);
        values.put("max_streams", maxStreams);
        values.put("daily_budget_usd", dailyBudgetUsd);
        values.put("monthly_budget_usd", monthlyBudgetUsd);
        return values;
    }

    /** Checks one knob's value as an operator sends it; returns it in the form stored in Redis. */
    public static String validated(String knob, String value) {
        if (!KNOBS.contains(knob)) {
            throw new IllegalArgumentException("unknown limit '" + knob + "'; known: " + KNOBS);
        }
        try {
            if (knob.endsWith("-usd")) {
                double usd = Double.parseDouble(value);
                if (!(usd >= 0) || Double.isInfinite(usd)) {
                    throw new NumberFormatException();
                }
                return Double.toString(usd);
            }
            long whole = Long.parseLong(value);
            if (whole < (knob.equals("burst") ? 1 : 0)) {
                throw new NumberFormatException();
            }
            return Long.toString(whole);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(knob + " must be a "
                    + (knob.endsWith("-usd")
                            ? "number of USD >= 0"
                            : knob.equals("burst") ? "whole number >= 1" : "whole number >= 0 (0: no limit)"));
        }
    }

    private static long whole(Function<String, @Nullable String> live, String knob, long fallback, long min) {
        String value = live.apply(knob);
        if (value == null) {
            return fallback;
        }
        try {
            return Math.max(min, Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            log.warn("ignoring bad live limit {}={}", knob, LogText.safe(value));
            return fallback;
        }
    }

    private static double usd(Function<String, @Nullable String> live, String knob, double fallback) {
        String value = live.apply(knob);
        if (value == null) {
            return fallback;
        }
        try {
            double usd = Double.parseDouble(value.strip());
            return usd >= 0 && Double.isFinite(usd) ? usd : fallback;
        } catch (NumberFormatException e) {
            log.warn("ignoring bad live limit {}={}", knob, LogText.safe(value));
            return fallback;
        }
    }
}
