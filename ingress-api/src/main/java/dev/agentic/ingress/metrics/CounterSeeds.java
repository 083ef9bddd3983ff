package dev.agentic.ingress.metrics;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.Lane;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Registers at 0, at start-up, the ingress's counters that alerts and the dashboard read with {@code
 * rate()} or {@code increase()}, for every label value known then. A counter made on its first event
 * is born at 1, and Prometheus's {@code increase()} counts nothing for a series' first sample: the
 * first lag repair after a Redis restart would never fire {@code AgenticLagCounterLost}, and a
 * dashboard panel would show nothing until the second event (MetricsIT reads a real scrape).
 */
@Component
class CounterSeeds {
    /** The refusals of load and limits: the reasons an operator watches (input errors come when they happen). */
    static final List<String> LOAD_REFUSALS =
            List.of("queue_full", "deadline_unreachable", "rate_limited", "too_many_streams", "budget_exceeded");

    CounterSeeds(MeterRegistry meters, IngressProperties properties) {
        for (Lane lane : Lane.values()) {
            meters.counter("agentic.queue.lag.repairs", "lane", lane.wireName());
        }
        for (String reason : LOAD_REFUSALS) {
            meters.counter("agentic.ingress.refused", "reason", reason);
        }
        for (String agent : properties.ingress().agents()) {
            meters.counter("agentic.ingress.accepted", "agent", agent);
            if (properties.ingress().responseCache()) {
                for (String result : List.of("hit", "miss")) {
                    meters.counter("agentic.ingress.cache", "agent", agent, "result", result);
                }
            }
        }
    }
}
