package dev.agentic.worker.config;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * HELP text for the worker's meters registered without one (counters made on first use, and
 * Spring's HTTP server meters on the management port).
 * A meter without a description is exported without Prometheus HELP, which {@code promtool check
 * metrics} reports; a meter registered with one keeps its own (MetricsIT runs promtool on a real
 * scrape).
 */
@Component
public class MeterHelp implements MeterFilter {
    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("agentic.tokens.out", "Tokens the agents wrote, by agent"),
            Map.entry(
                    "agentic.tokens.in",
                    "Prompt tokens of the finished jobs, by agent (as the LLM or the agent counted them)"),
            Map.entry(
                    "agentic.agents.stuck",
                    "Agents that did not return within the stuck grace after their stop, by agent"),
            Map.entry("agentic.jobs.finished", "Jobs ended with a terminal event, by agent and outcome (done, error)"),
            Map.entry("agentic.jobs.expired", "Jobs ended by their deadline, before or while running"),
            Map.entry("agentic.jobs.cancelled", "Jobs ended by their client's cancel"),
            Map.entry("agentic.jobs.reclaimed", "Jobs taken over from a dead or silent worker, by lane"),
            Map.entry(
                    "agentic.jobs.dead_lettered",
                    "Jobs moved to the dead-letter stream after their last delivery, by lane"),
            Map.entry("agentic.queue.trimmed", "Entries trimmed from a stream, by stream"),
            Map.entry(
                    "http.server.requests",
                    "HTTP requests served on the management port, by method, uri, status and outcome"),
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
