package dev.agentic.worker.config;

import dev.agentic.model.Lane;
import dev.agentic.worker.agent.AgentRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Registers at 0, at start-up, the worker's counters that alerts and the dashboard read with {@code
 * rate()} or {@code increase()}, for every lane and agent. A counter made on its first event is born
 * at 1, and Prometheus's {@code increase()} counts nothing for a series' first sample: a worker's
 * first dead letter would never fire {@code AgenticDeadLetters}, nor its first reclaims count in
 * {@code AgenticReclaimStorm} (MetricsIT reads a real scrape).
 */
@Component
class CounterSeeds {
    CounterSeeds(MeterRegistry meters, AgentRegistry agents) {
        for (Lane lane : Lane.values()) {
            meters.counter("agentic.jobs.reclaimed", "lane", lane.wireName());
            meters.counter("agentic.jobs.dead_lettered", "lane", lane.wireName());
        }
        meters.counter("agentic.jobs.expired");
        meters.counter("agentic.jobs.cancelled");
        for (String agent : agents.names()) {
            meters.counter("agentic.agents.stuck", "agent", agent);
            meters.counter("agentic.tokens.out", "agent", agent);
            meters.counter("agentic.tokens.in", "agent", agent);
            for (String outcome : List.of("done", "error")) {
                meters.counter("agentic.jobs.finished", "agent", agent, "outcome", outcome);
            }
        }
    }
}
