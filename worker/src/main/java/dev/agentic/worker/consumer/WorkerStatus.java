package dev.agentic.worker.consumer;

import dev.agentic.worker.config.WorkerProperties;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a worker's heartbeat says of it (the value of its {@code agentic:worker:<name>} key, read
 * by the dashboard): jobs running, slots busy and stuck, requests ended, version and start time.
 */
final class WorkerStatus {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The jar's version (its manifest's Implementation-Version), "dev" when run from classes. */
    static final String VERSION = version();

    private final AgentThreads threads;
    private final RecentRequests recent;
    private final WorkerProperties.Worker config;
    private final long startedAtMs = System.currentTimeMillis();

    WorkerStatus(AgentThreads threads, RecentRequests recent, WorkerProperties.Worker config) {
        this.threads = threads;
        this.recent = recent;
        this.config = config;
    }

    /** @param inflight jobs this worker runs now */
    String describe(int inflight) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("inflight", inflight);
        status.put("concurrency", config.concurrency());
        // Running jobs and slots stuck agents hold; not the slots reserved for the read in progress
        // (agentic.worker.slots{state=busy} counts those too: an idle worker would look busy).
        status.put("busy", Math.min(config.concurrency(), inflight + threads.stuckCount()));
        status.put("stuck", threads.stuckCount());
        status.put("jobs_done", recent.ended());
        status.put("version", VERSION);
        status.put("started_at_ms", startedAtMs);
        status.put("heartbeat_every_ms", config.refreshInterval().toMillis());
        return JSON.writeValueAsString(status);
    }

    private static String version() {
        String version = WorkerStatus.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
