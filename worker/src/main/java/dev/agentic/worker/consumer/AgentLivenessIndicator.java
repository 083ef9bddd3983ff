package dev.agentic.worker.consumer;

import dev.agentic.worker.config.WorkerProperties;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Part of liveness: DOWN while an agent has been stuck (did not return after its interrupt) for
 * longer than {@code agentic.worker.stuck-liveness-after}, so an orchestrator restarts the worker
 * whose computation cannot be stopped. Reads counters only: it never blocks.
 */
@Component("agents")
class AgentLivenessIndicator implements HealthIndicator {
    private final AgentThreads threads;
    private final Duration after;

    AgentLivenessIndicator(JobConsumer consumer, WorkerProperties properties) {
        this.threads = consumer.agentThreads();
        this.after = properties.worker().stuckLivenessAfter();
    }

    @Override
    public Health health() {
        Optional<Duration> oldest = threads.oldestStuck();
        Health.Builder health =
                oldest.filter(stuck -> stuck.compareTo(after) > 0).isPresent() ? Health.down() : Health.up();
        return health.withDetail("stuck", threads.stuckCount())
                .withDetail("free_slots", threads.freeSlots())
                .withDetail("oldest_stuck_ms", oldest.map(Duration::toMillis).orElse(0L))
                .build();
    }
}
