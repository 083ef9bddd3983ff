package dev.agentic.worker.consumer;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LogText;
import dev.agentic.model.MalformedWireDataException;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisSettings;
import dev.agentic.worker.config.WorkerProperties;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The consumer loop: reads jobs from the lane streams with XREADGROUP, at most {@code concurrency}
 * at a time, and runs each on a virtual thread. A job is acknowledged only after its terminal
 * event is in the log. A bad message or a Redis outage never ends the loop; a lost consumer group
 * is created again.
 *
 * <p>Lane policy: lanes are read in the configured order without blocking, so a waiting
 * interactive job goes before a batch job, except that after {@code other-lane-every} interactive
 * jobs in a row a waiting batch job goes first (no starvation); when all are empty the blocking read
 * waits on the first lane, so an idle worker notices work on later lanes within one poll timeout.
 */
public final class JobConsumer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(JobConsumer.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    /**
     * An entry of this consumer's pending list that it has not picked up after this long was never
     * received (an entry it reads is running within milliseconds).
     */
    private static final Duration ORPHAN_AGE = Duration.ofSeconds(2);

    private final RedisClient client;
    private final RedisCommands<String, String> redis;
    private final JobRunner runner;
    private final RedisSettings settings;
    private final WorkerProperties.Worker config;
    private final String consumer;
    private final AgentThreads threads;
    private final ExecutorService jobs = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("job-", 0).factory());
    private final CancelWatcher cancels;
    private final MeterRegistry meters;
    /** Entries this worker is running, by entry id: refreshed so no one reclaims them. */
    private final Map<String, Running> inflight = new ConcurrentHashMap<>();

    /** A job this worker runs: its lane and its hold on the entry. */
    private record Running(Lane lane, Lease lease) {}

    private volatile boolean running;
    /** Jobs taken in a row from the first lane (consume loop only). */
    private int preferredInARow;
    /** When the consume loop next looks for abandoned jobs ({@link System#nanoTime()}). */
    private long nextReclaimCheck;

    private @Nullable Thread loop;
    private @Nullable Thread keeper;
    private @Nullable StatefulRedisConnection<String, String> blocking;

    public JobConsumer(
            RedisClient client,
            StatefulRedisConnection<String, String> shared,
            JobRunner runner,
            CancelWatcher cancels,
            RedisSettings settings,
            WorkerProperties.Worker config,
            MeterRegistry meters) {
        this.client = client;
        this.cancels = cancels;
        this.meters = meters;
        this.redis = shared.sync();
        this.runner = runner;
        this.settings = settings;
        this.config = config;
        this.consumer = config.consumerName();
        this.threads = new AgentThreads(config.concurrency(), config.stuckGrace());
    }

    /**
     * A job read from a lane.
     *
     * @param attempt how often the entry has been delivered: 1 for a new job, more for a resumed one
     */
    private record Delivery(Lane lane, StreamMessage<String, String> message, int attempt) {
        Delivery(Lane lane, StreamMessage<String, String> message) {
            this(lane, message, 1);
        }
    }

    @Override
    public void start() {
        running = true;
        loop = Thread.ofPlatform().name("job-consumer").start(this::consumeLoop);
        keeper = Thread.ofPlatform().name("job-keeper").daemon().start(this::keepLoop);
        log.info("Worker(name={}) consuming {} with concurrency {}", consumer, config.lanes(), config.concurrency());
    }

    /**
     * Drains: stops reading, lets running jobs finish within the shutdown grace (still refreshing
     * them), interrupts the rest, and hands what is left unacknowledged back for immediate reclaim.
     */
    @Override
    public void stop() {
        running = false;
        Thread thread = loop;
        if (thread != null) {
            thread.interrupt();
            join(thread, Duration.ofSeconds(5));
        }
        jobs.shutdown();
        if (!awaitJobs(config.shutdownGrace())) {
            log.warn("Worker(name={}) interrupting jobs still running after {}", consumer, config.shutdownGrace());
            jobs.shutdownNow();
            awaitJobs(Duration.ofSeconds(5));
        }
        Thread refresher = keeper;
        if (refresher != null) {
            refresher.interrupt();
            join(refresher, Duration.ofSeconds(5));
        }
        releaseLeftovers();
        StatefulRedisConnection<String, String> connection = blocking;
        if (connection != null) {
            connection.close();
        }
        runner.close();
        cancels.close();
        threads.close();
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
        } catch (RedisException e) {
            log.warn(
                    "Worker(name={}) could not hand back unfinished jobs: {}; they are reclaimed after {}",
                    consumer,
                    e.getMessage(),
                    config.reclaimTimeout());
        }
    }

    /**
     * Every quarter of the reclaim timeout: refresh the jobs this worker runs (so a live worker's
     * job is never taken, however long it runs) and renew the worker's heartbeat key.
     */
    private void keepLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                refreshRunning();
                heartbeat();
            } catch (RedisException e) {
                log.debug("Worker(name={}) keeper: Redis unavailable: {}", consumer, e.getMessage());
            } catch (RuntimeException e) {
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
        Map<Lane, List<String>> byLane = inflight.entrySet().stream()
                .collect(Collectors.groupingBy(
                        entry -> entry.getValue().lane(), Collectors.mapping(Map.Entry::getKey, Collectors.toList())));
        byLane.forEach((lane, ids) -> {
            for (String lost : JobQueue.refresh(redis, lane, consumer, ids)) {
                Running running = inflight.get(lost);
                if (running != null) {
                    log.warn(
                            "Worker(name={}) job {} on {} was reclaimed by another worker; stopping it without writing",
                            consumer,
                            lost,
                            lane.wireName());
                    running.lease().lose();
                }
            }
        });
    }

    /**
     * One abandoned job (its worker stopped refreshing it for the reclaim timeout), preferring lanes
     * in order; null when there is none. Looked for at most once per refresh interval while none
     * turn up, so a busy worker does not scan the pending lists before every job.
     */
    private @Nullable Delivery reclaimOne() {
        long now = System.nanoTime();
        if (now < nextReclaimCheck) {
            return null;
        }
        Delivery orphan = adoptOrphan();
        if (orphan != null) {
            return orphan;
        }
        for (Lane lane : config.lanes()) {
            for (StreamMessage<String, String> message :
                    JobQueue.claimAbandoned(redis, lane, consumer, config.reclaimTimeout(), 1)) {
                if (inflight.containsKey(message.getId())) {
                    continue; // our own running job, if its refresh was late: it keeps running here
                }
                int attempt = (int) Math.min(
                        JobQueue.deliveryCounts(redis, lane, consumer, 10_000).getOrDefault(message.getId(), 2L),
                        Integer.MAX_VALUE);
                log.info(
                        "Worker(name={}) reclaimed job {} on {} (attempt {})",
                        consumer,
                        message.getId(),
                        lane.wireName(),
                        attempt);
                meters.counter("agentic.jobs.reclaimed", "lane", lane.wireName())
                        .increment();
                return new Delivery(lane, message, attempt);
            }
        }
        nextReclaimCheck = now + config.refreshInterval().toNanos();
        return null;
    }

    /**
     * An entry Redis delivered to this consumer that it never received: a blocking read whose reply
     * arrived after the client had given up on it (a paused process, a slow network) leaves it in
     * this consumer's pending list, unrefreshed. Taken here, it runs at once as the same attempt
     * instead of waiting out the reclaim timeout and restarting elsewhere.
     */
    private @Nullable Delivery adoptOrphan() {
        for (Lane lane : config.lanes()) {
            for (PendingMessage pending : JobQueue.pendingOf(redis, lane, consumer, 1000)) {
                if (pending.getMsSinceLastDelivery() < ORPHAN_AGE.toMillis() || inflight.containsKey(pending.getId())) {
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
                    return new Delivery(lane, message, (int) Math.min(pending.getRedeliveryCount(), Integer.MAX_VALUE));
                }
            }
        }
        return null;
    }

    private void heartbeat() {
        redis.setex(
                RedisKeys.worker(consumer),
                Math.max(1, config.refreshInterval().multipliedBy(3).toSeconds()),
                "{\"inflight\":" + inflight.size() + ",\"concurrency\":" + config.concurrency() + "}");
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

    private void consumeLoop() {
        boolean ownPendingFirst = true;
        while (running) {
            try {
                ensureBlockingConnection();
                if (ownPendingFirst) {
                    resumeOwnPending();
                    ownPendingFirst = false;
                }
                dispatchNext();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RedisException e) {
                if (JobQueue.isMissingGroup(e)) {
                    log.warn("Worker(name={}) consumer group missing (Redis restarted?); creating it", consumer);
                    if (!ensureGroupsQuietly() && !pause(RETRY_PAUSE)) {
                        return;
                    }
                } else if (running) {
                    log.warn(
                            "Worker(name={}) Redis unavailable: {}; retrying in {}",
                            consumer,
                            e.getMessage(),
                            RETRY_PAUSE);
                    if (!pause(RETRY_PAUSE)) {
                        return;
                    }
                }
            } catch (RuntimeException e) {
                log.error("Worker(name={}) unexpected error in consumer loop; continuing", consumer, e);
                if (!pause(RETRY_PAUSE)) {
                    return;
                }
            }
        }
    }

    private void ensureBlockingConnection() {
        if (blocking == null) {
            blocking = settings.connectForBlocking(client, config.pollTimeout());
            ensureGroupsQuietly();
        }
    }

    /**
     * Creates the lanes' groups where missing. Never throws: it runs inside the loop's error handling,
     * where an exception would end the consumer thread for good.
     *
     * @return false when Redis refused or failed; the loop tries again after its next NOGROUP
     */
    private boolean ensureGroupsQuietly() {
        try {
            for (Lane lane : config.lanes()) {
                JobQueue.ensureGroup(redis, lane);
            }
            return true;
        } catch (RedisException e) {
            log.warn("Worker(name={}) could not create the consumer groups: {}", consumer, e.getMessage());
            return false;
        }
    }

    /** After a restart under the same name: finish what this consumer had taken but not acked. */
    private void resumeOwnPending() throws InterruptedException {
        for (Lane lane : config.lanes()) {
            List<StreamMessage<String, String>> pending =
                    JobQueue.read(blockingCommands(), lane, consumer, 1000, Duration.ZERO, true);
            if (!pending.isEmpty()) {
                log.info("Worker(name={}) resuming {} pending job(s) on {}", consumer, pending.size(), lane.wireName());
            }
            Map<String, Long> deliveries = JobQueue.deliveryCounts(redis, lane, consumer, pending.size());
            for (StreamMessage<String, String> message : pending) {
                long attempt = deliveries.getOrDefault(message.getId(), 2L);
                submit(new Delivery(lane, message, (int) Math.min(attempt, Integer.MAX_VALUE)), threads.acquire());
            }
        }
    }

    /** Takes a slot, then reads one job into it; the slot goes back unless a job got it. */
    private void dispatchNext() throws InterruptedException {
        AgentThreads.Slot slot = threads.acquire();
        boolean submitted = false;
        try {
            Delivery next = readOne();
            if (next != null) {
                submit(next, slot);
                submitted = true;
            }
        } finally {
            if (!submitted) {
                // A failed read (NOGROUP, Redis down) must not cost a slot, or the loop starves.
                slot.release();
            }
        }
    }

    /**
     * One job: an abandoned one first (a dead worker's), then a new one, preferring lanes in their
     * configured order; null when the block timed out.
     */
    private @Nullable Delivery readOne() {
        Delivery reclaimed = reclaimOne();
        if (reclaimed != null) {
            return reclaimed;
        }
        for (Lane lane : laneOrder()) {
            List<StreamMessage<String, String>> found =
                    JobQueue.read(blockingCommands(), lane, consumer, 1, Duration.ZERO, false);
            if (!found.isEmpty()) {
                preferredInARow = lane == config.lanes().get(0) ? preferredInARow + 1 : 0;
                return new Delivery(lane, found.get(0));
            }
        }
        Lane preferred = config.lanes().get(0);
        List<StreamMessage<String, String>> found =
                JobQueue.read(blockingCommands(), preferred, consumer, 1, config.pollTimeout(), false);
        return found.isEmpty() ? null : new Delivery(preferred, found.get(0));
    }

    /**
     * The lanes in the order to look at them: the configured preference, except that after {@code
     * other-lane-every} jobs in a row from the first lane the others go first once, so a steady
     * stream of interactive work cannot starve the batch lane.
     */
    private List<Lane> laneOrder() {
        List<Lane> lanes = config.lanes();
        if (lanes.size() < 2 || preferredInARow < config.otherLaneEvery()) {
            return lanes;
        }
        List<Lane> rotated = new ArrayList<>(lanes.subList(1, lanes.size()));
        rotated.add(lanes.get(0));
        return rotated;
    }

    /** Runs the delivery on a virtual thread; the caller holds a slot, which the job gives back. */
    private void submit(Delivery delivery, AgentThreads.Slot slot) {
        Lease lease = new Lease();
        if (inflight.putIfAbsent(delivery.message().getId(), new Running(delivery.lane(), lease)) != null) {
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
                        delivery.message().getId(),
                        delivery.lane().wireName(),
                        e.getMessage());
            } finally {
                inflight.remove(delivery.message().getId());
                slot.release();
            }
        });
    }

    private void process(Delivery delivery, AgentThreads.Slot slot, Lease lease) {
        Job job;
        try {
            job = WireCodec.decodeJob(delivery.message().getBody().getOrDefault(RedisKeys.JOB_FIELD, ""));
        } catch (MalformedWireDataException e) {
            deadLetter(delivery, null, delivery.attempt(), "undecodable job: " + e.getMessage());
            return;
        }
        EventLog.Attempt attempt = runner.begin(job, delivery.attempt());
        if (attempt.number() > config.maxDeliveries()) {
            deadLetter(
                    delivery,
                    job,
                    attempt.number(),
                    "attempt " + attempt.number() + " of at most " + config.maxDeliveries()
                            + "; workers kept failing while running it");
            return;
        }
        if (runner.run(job, attempt, slot, lease).requestHasEnded()) {
            JobQueue.ack(redis, delivery.lane(), delivery.message().getId());
        }
    }

    /**
     * Moves an entry to the dead-letter stream with the reason, ends its request with an {@code
     * error} the client sees, and acknowledges it.
     */
    private void deadLetter(Delivery delivery, @Nullable Job job, int attempts, String reason) {
        log.warn(
                "Worker(name={}) dead-lettering {} on {}: {}",
                consumer,
                delivery.message().getId(),
                delivery.lane().wireName(),
                LogText.safe(reason));
        Map<String, String> letter = new LinkedHashMap<>();
        letter.put("lane", delivery.lane().wireName());
        letter.put("entry", delivery.message().getId());
        letter.put("attempts", String.valueOf(attempts));
        letter.put("error", reason);
        letter.put("worker", consumer);
        letter.put("at_ms", String.valueOf(System.currentTimeMillis()));
        letter.put(
                RedisKeys.JOB_FIELD, String.valueOf(delivery.message().getBody().get(RedisKeys.JOB_FIELD)));
        if (job != null) {
            letter.put("request_id", job.id());
        }
        redis.xadd(RedisKeys.DEAD_LETTERS, letter);
        if (job != null) {
            runner.endAsDeadLetter(job, attempts);
        }
        meters.counter("agentic.jobs.dead_lettered", "lane", delivery.lane().wireName())
                .increment();
        JobQueue.ack(redis, delivery.lane(), delivery.message().getId());
    }

    private RedisCommands<String, String> blockingCommands() {
        StatefulRedisConnection<String, String> connection = blocking;
        if (connection == null) {
            throw new IllegalStateException("consumer not started");
        }
        return connection.sync();
    }

    private boolean awaitJobs(Duration timeout) {
        try {
            return jobs.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void join(Thread thread, Duration timeout) {
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean pause(Duration duration) {
        try {
            Thread.sleep(duration);
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
