package dev.agentic.ingress.usage;

import dev.agentic.ingress.security.Caller;
import dev.agentic.ingress.security.RequiresRole;
import dev.agentic.ingress.security.Role;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.redis.UsageLedger;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/usage?from=YYYY-MM-DD&to=YYYY-MM-DD}: the caller tenant's requests, tokens and
 * cost per UTC day and agent, with totals. Both dates default to today; the range holds at most
 * {@value #MAX_DAYS} days.
 */
@RestController
@RequiresRole(Role.USER)
class UsageController {
    static final int MAX_DAYS = 366;
    private static final List<String> FIGURES = List.of("requests", "tokens_in", "tokens_out", "cost_usd");

    private final UsageLedger ledger;
    private final Clock clock;

    UsageController(UsageLedger ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    @GetMapping("/api/v1/usage")
    Map<String, Object> usage(
            @RequestParam(value = "from", required = false) @Nullable String from,
            @RequestParam(value = "to", required = false) @Nullable String to,
            Caller caller) {
        String tenant = caller.tenant();
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate first = date("from", from, today);
        LocalDate last = date("to", to, today);
        if (last.isBefore(first) || ChronoUnit.DAYS.between(first, last) + 1 > MAX_DAYS) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid_range",
                    "'from' must not be after 'to', and the range may hold at most " + MAX_DAYS + " days");
        }
        List<Map<String, Object>> days = new ArrayList<>();
        Map<String, Number> total = emptyFigures();
        Map<String, Map<String, Number>> totalByAgent = new TreeMap<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            Map<String, Map<String, Number>> agents = byAgent(ledger.day(tenant, day));
            if (agents.isEmpty()) {
                continue;
            }
            Map<String, Number> dayTotal = emptyFigures();
            agents.forEach((agent, figures) -> {
                add(dayTotal, figures);
                add(total, figures);
                add(totalByAgent.computeIfAbsent(agent, a -> emptyFigures()), figures);
            });
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("date", day.toString());
            entry.put("agents", agents);
            entry.put("total", dayTotal);
            days.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant", tenant);
        body.put("from", first.toString());
        body.put("to", last.toString());
        body.put("days", days);
        body.put("agents", totalByAgent);
        body.put("total", total);
        return body;
    }

    private static LocalDate date(String name, @Nullable String value, LocalDate today) {
        if (value == null || value.isBlank()) {
            return today;
        }
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid_date",
                    "'" + name + "' must be a date of the form YYYY-MM-DD (UTC)");
        }
    }

    /** {@code <agent>:<figure>} fields grouped by agent; the stored day total is left out. */
    private static Map<String, Map<String, Number>> byAgent(Map<String, String> hash) {
        Map<String, Map<String, Number>> agents = new TreeMap<>();
        hash.forEach((field, value) -> {
            int colon = field.lastIndexOf(':');
            if (colon <= 0 || field.startsWith("total:")) {
                return;
            }
            String figure = field.substring(colon + 1);
            if (FIGURES.contains(figure)) {
                agents.computeIfAbsent(field.substring(0, colon), a -> emptyFigures())
                        .put(figure, parse(figure, value));
            }
        });
        return agents;
    }

    private static Map<String, Number> emptyFigures() {
        Map<String, Number> figures = new LinkedHashMap<>();
        FIGURES.forEach(figure -> figures.put(figure, figure.equals("cost_usd") ? 0.0 : 0L));
        return figures;
    }

    private static Number parse(String figure, String value) {
        try {
            if (figure.equals("cost_usd")) {
                return Double.parseDouble(value);
            }
            return Long.parseLong(value); // not in one ?: with the double, which would widen it
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void add(Map<String, Number> sum, Map<String, Number> figures) {
        figures.forEach((figure, value) -> sum.merge(
                figure,
                value,
                (a, b) -> figure.equals("cost_usd")
                        ? Math.round((a.doubleValue() + b.doubleValue()) * 1e9) / 1e9
                        : (Number) (a.longValue() + b.longValue())));
    }
}
