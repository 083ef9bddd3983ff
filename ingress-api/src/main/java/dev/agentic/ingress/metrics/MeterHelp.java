package dev.agentic.ingress.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * HELP text for the ingress's meters registered without one (counters made on first use, and
 * Spring's HTTP server meters).
 * A meter without a description is exported without Prometheus HELP, which {@code promtool check
 * metrics} reports; a meter registered with one keeps its own (MetricsIT runs promtool on a real
 * scrape).
 */
@Component
public class MeterHelp implements MeterFilter {
    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("agentic.ingress.accepted", "Requests accepted and queued, by agent"),
            Map.entry(
                    "agentic.ingress.refused", "Requests refused before the queue, by reason (the problem+json code)"),
            Map.entry("agentic.ingress.cache", "Response cache lookups, by agent and result (hit, miss)"),
            Map.entry(
                    "agentic.queue.lag.repairs",
                    "Times Redis had lost a lane group's read counter and this instance restored it"),
            Map.entry("http.server.requests", "HTTP requests served, by method, uri, status and outcome"),
            Map.entry("http.server.requests.active", "HTTP requests in progress"));

    @Override
    public Meter.Id map(Meter.Id id) {
        String help = HELP.get(id.getName());
        if (help == null || id.getDescription() != null) {
            return id;
        }
        return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), help, id.getType());
    }
}
