package dev.agentic.worker.consumer;

import dev.agentic.model.RedisKeys;
import dev.agentic.redis.JobQueue;
import dev.agentic.worker.config.WorkerProperties;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every quarter of the reclaim timeout: refreshes the entries this worker runs (so a live worker's
 * job is never taken, however long it runs), stops the jobs whose entries another worker reclaimed
 * meanwhile, and renews the worker's heartbeat key.
 */
final class LeaseKeeper implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final RedisClusterCommands<String, String> redis;
    private final Inflight inflight;
    private final WorkerProperties.Worker config;
    private final String consumer;
    private final WorkerStatus status;

    LeaseKeeper(
            RedisClusterCommands<String, String> redis,
            Inflight inflight,
            WorkerProperties.Worker config,
            WorkerStatus status) {
        this.redis = redis;
        this.status = status;
        this.inflight = inflight;
        this.config = config;
        this.consumer = config.consumerName();
    }

    @Override
    public void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                refreshRunning();
                heartbeat();
            } catch (RedisException e) {
                log.debug("Worker(name={}) keeper: Redis unavailable: {}", consumer, e.getMessage());
            } catch (RuntimeException | Error e) { // an Error must not end the loop for good
                log.warn("Worker(name={}) keeper failed; continuing", consumer, e);
            }
            try {
                Thread.sleep(config.refreshInterval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void refreshRunning() {
        inflight.idsByLane().forEach((lane, ids) -> {
            for (String lost : JobQueue.refresh(redis, lane, consumer, ids)) {
                Lease lease = inflight.lease(lost);
                if (lease != null) {
                    log.warn(
                            "Worker(name={}) job {} on {} was reclaimed by another worker; stopping it without writing",
                            consumer,
                            lost,
                            lane.wireName());
                    lease.lose();
                }
            }
        });
    }

    /**
     * The heartbeat key expires after three missed beats; the {@link RedisKeys#WORKERS} index is
     * swept of workers silent for {@link #FORGOTTEN_AFTER} (a killed worker leaves its entry).
     */
    private void heartbeat() {
        long now = System.currentTimeMillis();
        redis.setex(
                RedisKeys.worker(consumer),
                Math.max(1, config.refreshInterval().multipliedBy(3).toSeconds()),
                status.describe(inflight.size()));
        redis.zadd(RedisKeys.WORKERS, now, consumer);
        redis.zremrangebyscore(RedisKeys.WORKERS, io.lettuce.core.Range.create(0, now - FORGOTTEN_AFTER.toMillis()));
    }

    /** How long a silent worker stays listed (the dashboard shows it as gone meanwhile). */
    static final java.time.Duration FORGOTTEN_AFTER = java.time.Duration.ofMinutes(10);
}
