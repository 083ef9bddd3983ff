package dev.agentic.worker.consumer;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.MalformedWireDataException;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.worker.config.WorkerProperties;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A worker's consumer: its lifecycle, and what happens to one delivered job. The {@link
 * ConsumeLoop} reads jobs into free slots ({@link AgentThreads}), the {@link LeaseKeeper} keeps
 * their entries, the {@link Reclaimer} finds abandoned ones, {@link DeadLetters} sets aside those
 * no attempt finishes. Each job runs on a virtual thread, its agent on its slot's platform thread.
 * A job is acknowledged only when its attempt's {@link dev.agentic.redis.AttemptOutcome} says the
 * request has ended, by the {@link Settlements}, after its usage was counted.
 */
public final class JobConsumer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(JobConsumer.class);

    private final RedisClusterCommands<String, String> redis;
    private final JobRunner runner;
    private final WorkerProperties.Worker config;
    private final String consumer;
    private final AgentThreads threads;
    private final ExecutorService jobs = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("job-", 0).factory());
    private final CancelWatcher cancels;
    private final Inflight inflight = new Inflight();
    private final DeadLetters deadLetters;
    private final ConsumeLoop consumeLoop;
    private final LeaseKeeper leaseKeeper;
    private final Settlements settlements;

    /** The default of {@code agentic.trim.dead-letter-max-job-size}: 64 KiB. */
    static final int DEFAULT_DEAD_LETTER_JOB_BYTES = 64 * 1024;

    private volatile boolean running;
    private @Nullable Thread loop;
    private @Nullable Thread keeper;

    public JobConsumer(
            RedisConnector connector,
            RedisLink shared,
            JobRunner runner,
            CancelWatcher cancels,
            WorkerProperties.Worker config,
            MeterRegistry meters) {
        this(connector, shared, runner, cancels, config, meters, DEFAULT_DEAD_LETTER_JOB_BYTES);
    }

    /** @param deadLetterJobBytes the most bytes of a job a dead letter keeps ({@code agentic.trim.dead-letter-max-job-size}) */
    public JobConsumer(
            RedisConnector connector,
            RedisLink shared,
            JobRunner runner,
            CancelWatcher cancels,
            WorkerProperties.Worker config,
            MeterRegistry meters,
            int deadLetterJobBytes) {
        this.cancels = cancels;
        this.redis = shared.sync();
        this.runner = runner;
        this.config = config;
        this.consumer = config.consumerName();
        this.threads = new AgentThreads(config.concurrency(), config.cpuThreads(), config.stuckGrace());
        Gauge.builder("agentic.worker.slots", threads, AgentThreads::freeSlots)
                .tag("state", "free")
                .description("Job slots of this worker free to take a job")
                .register(meters);
        Gauge.builder("agentic.worker.slots", threads, t -> config.concurrency() - t.freeSlots())
                .tag("state", "busy")
                .description(
                        "Job slots of this worker in use: running a job, held by a stuck agent, or reserved for the read in progress")
                .register(meters);
        Gauge.builder("agentic.worker.agents.stuck", threads, AgentThreads::stuckCount)
                .description("Agents that did not return after their stop and still hold their slot")
                .register(meters);
        this.deadLetters = new DeadLetters(redis, runner, consumer, meters, deadLetterJobBytes);
        this.leaseKeeper = new LeaseKeeper(redis, inflight, config, new WorkerStatus(threads, runner.recent(), config));
        this.settlements = new Settlements(redis, runner::settle, runner.recent());
        this.consumeLoop = new ConsumeLoop(
                connector,
                redis,
                config,
                threads,
                new Reclaimer(redis, inflight, config, meters),
                this::submit,
                () -> running);
    }

    @Override
    public void start() {
        running = true;
        settlements.start();
        loop = Thread.ofPlatform().name("job-consumer").start(consumeLoop);
        keeper = Thread.ofPlatform().name("job-keeper").daemon().start(leaseKeeper);
        log.info(
                "Worker(name={}) consuming {} with concurrency {} ({} threads for computing agents)",
                consumer,
                config.lanes(),
                config.concurrency(),
                config.cpuThreads());
    }

    /**
     * Drains: stops reading, lets running jobs finish within the shutdown grace (still refreshing
     * them), interrupts the rest, and hands what is left unacknowledged back for immediate reclaim.
     */
    @Override
    public void stop() {
        running = false;
        stopThread(loop);
        jobs.shutdown();
        if (!awaitJobs(config.shutdownGrace())) {
            log.warn("Worker(name={}) interrupting jobs still running after {}", consumer, config.shutdownGrace());
            jobs.shutdownNow();
            awaitJobs(Duration.ofSeconds(5));
        }
        settlements.close(); // before the leftovers are handed back: what ended is settled, not reclaimed
        stopThread(keeper);
        releaseLeftovers();
        consumeLoop.close();
        runner.close();
        cancels.close();
        threads.close();
    }

    /** The agent threads and slots of this worker (for its liveness). */
    public AgentThreads agentThreads() {
        return threads;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stop after the web server (phase of the graceful shutdown), before the Redis connections close. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    /** Runs the delivery on a virtual thread; the caller holds a slot, which the job gives back. */
    private void submit(Delivery delivery, AgentThreads.Slot slot) {
        Lease lease = new Lease();
        if (!inflight.add(delivery, lease)) {
            slot.release(); // already running here
            return;
        }
        jobs.execute(() -> {
            try {
                process(delivery, slot, lease);
            } catch (RedisException e) {
                // Not acked: the job stays pending and is reclaimed (or resumed by this worker).
                log.warn(
                        "Job {} on {} could not be completed in Redis: {}",
                        delivery.entryId(),
                        delivery.lane().wireName(),
                        e.getMessage());
            } finally {
                inflight.remove(delivery.entryId());
                slot.release();
            }
        });
    }

    /** Decodes, begins an attempt (or dead-letters), runs it, and acknowledges when the request ended. */
    private void process(Delivery delivery, AgentThreads.Slot slot, Lease lease) {
        Job job;
        try {
            job = WireCodec.decodeJob(delivery.message().getBody().getOrDefault(RedisKeys.JOB_FIELD, ""));
        } catch (MalformedWireDataException e) {
            deadLetters.add(delivery, null, delivery.deliveries(), "undecodable job: " + e.getMessage());
            return;
        }
        EventLog.Attempt attempt = runner.begin(job, delivery.deliveries());
        if (hasEnded(attempt)) {
            // An earlier attempt wrote the terminal event; its usage count or its ack was lost.
            settle(delivery, job);
            return;
        }
        if (attempt.number() > config.maxDeliveries()) {
            deadLetters.add(
                    delivery,
                    job,
                    attempt.number(),
                    "attempt " + attempt.number() + " of at most " + config.maxDeliveries()
                            + "; workers kept failing while running it");
            return;
        }
        if (runner.run(job, attempt, slot, lease).requestHasEnded()) {
            settle(delivery, job);
        }
    }

    private static boolean hasEnded(EventLog.Attempt attempt) {
        return "done".equals(attempt.status()) || "error".equals(attempt.status());
    }

    /**
     * Out of the leases first, so the keeper never reports a finished job as taken from it; then its
     * usage is counted and its entry acknowledged with those of other jobs ending meanwhile.
     */
    private void settle(Delivery delivery, Job job) {
        inflight.remove(delivery.entryId());
        settlements.add(delivery, job);
    }

    private void releaseLeftovers() {
        try {
            for (Lane lane : config.lanes()) {
                List<String> mine = List.copyOf(
                        JobQueue.deliveryCounts(redis, lane, consumer, 10_000).keySet());
                JobQueue.release(redis, lane, consumer, mine, config.reclaimTimeout());
                if (!mine.isEmpty()) {
                    log.info(
                            "Worker(name={}) handed {} unfinished job(s) on {} back for reclaim",
                            consumer,
                            mine.size(),
                            lane.wireName());
                }
            }
            redis.del(RedisKeys.worker(consumer));
            redis.zrem(RedisKeys.WORKERS, consumer);
        } catch (RedisException e) {
            log.warn(
                    "Worker(name={}) could not hand back unfinished jobs: {}; they are reclaimed after {}",
                    consumer,
                    e.getMessage(),
                    config.reclaimTimeout());
        }
    }

    private boolean awaitJobs(Duration timeout) {
        try {
            return jobs.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void stopThread(@Nullable Thread thread) {
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
