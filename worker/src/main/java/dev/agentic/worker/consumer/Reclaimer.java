package dev.agentic.worker.consumer;

import dev.agentic.model.Lane;
import dev.agentic.redis.JobQueue;
import dev.agentic.worker.config.WorkerProperties;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds jobs nobody runs: entries of dead workers (not refreshed for the reclaim timeout) and
 * entries Redis delivered to this worker that it never received. Used by the consume loop only.
 */
final class Reclaimer {
    private static final Logger log = LoggerFactory.getLogger(Reclaimer.class);
    /**
     * An entry of this consumer's pending list that it has not picked up after this long was never
     * received (an entry it reads is running within milliseconds).
     */
    private static final Duration ORPHAN_AGE = Duration.ofSeconds(2);

    private final RedisClusterCommands<String, String> redis;
    private final Inflight inflight;
    private final WorkerProperties.Worker config;
    private final String consumer;
    private final MeterRegistry meters;
    /** When to look for abandoned jobs next ({@link System#nanoTime()}). */
    private long nextCheck;

    Reclaimer(
            RedisClusterCommands<String, String> redis,
            Inflight inflight,
            WorkerProperties.Worker config,
            MeterRegistry meters) {
        this.redis = redis;
        this.inflight = inflight;
        this.config = config;
        this.consumer = config.consumerName();
        this.meters = meters;
    }

    /**
     * One abandoned job (its worker stopped refreshing it for the reclaim timeout), preferring lanes
     * in order; null when there is none. Looked for at most once per refresh interval while none
     * turn up, so a busy worker does not scan the pending lists before every job.
     */
    @Nullable
    Delivery reclaimOne() {
        long now = System.nanoTime();
        if (now < nextCheck) {
            return null;
        }
        Delivery orphan = adoptOrphan();
        if (orphan != null) {
            return orphan;
        }
        for (Lane lane : config.lanes()) {
            Delivery reclaimed = reclaimOn(lane);
            if (reclaimed != null) {
                return reclaimed;
            }
        }
        nextCheck = now + config.refreshInterval().toNanos();
        return null;
    }

    private @Nullable Delivery reclaimOn(Lane lane) {
        for (StreamMessage<String, String> message :
                JobQueue.claimAbandoned(redis, lane, consumer, config.reclaimTimeout(), 1)) {
            if (inflight.contains(message.getId())) {
                continue; // our own running job, if its refresh was late: it keeps running here
            }
            long deliveries =
                    JobQueue.deliveryCounts(redis, lane, consumer, 10_000).getOrDefault(message.getId(), 2L);
            log.info(
                    "Worker(name={}) reclaimed job {} on {} (delivery {})",
                    consumer,
                    message.getId(),
                    lane.wireName(),
                    deliveries);
            meters.counter("agentic.jobs.reclaimed", "lane", lane.wireName()).increment();
            return new Delivery(lane, message, deliveries);
        }
        return null;
    }

    /**
     * An entry Redis delivered to this consumer that it never received: a blocking read whose reply
     * arrived after the client had given up on it (a paused process, a slow network) leaves it in
     * this consumer's pending list, unrefreshed. Taken here, it runs at once (as a new attempt)
     * instead of waiting out the reclaim timeout and restarting elsewhere.
     */
    private @Nullable Delivery adoptOrphan() {
        for (Lane lane : config.lanes()) {
            for (PendingMessage pending : JobQueue.pendingOf(redis, lane, consumer, 1000)) {
                if (pending.getMsSinceLastDelivery() < ORPHAN_AGE.toMillis() || inflight.contains(pending.getId())) {
                    continue;
                }
                StreamMessage<String, String> message = JobQueue.entry(redis, lane, pending.getId());
                if (message != null) {
                    log.info(
                            "Worker(name={}) running job {} on {}: delivered to it but never received",
                            consumer,
                            pending.getId(),
                            lane.wireName());
                    JobQueue.refresh(redis, lane, consumer, List.of(pending.getId()));
                    return new Delivery(lane, message, pending.getRedeliveryCount());
                }
            }
        }
        return null;
    }
}
