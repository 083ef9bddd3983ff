package dev.agentic.worker.consumer;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.MalformedWireDataException;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisSettings;
import dev.agentic.worker.config.WorkerProperties;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
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
 * interactive job always goes before a batch job; when all are empty the blocking read waits on the
 * first lane, so an idle worker notices work on later lanes within one poll timeout.
 */
public final class JobConsumer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(JobConsumer.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final RedisClient client;
    private final RedisCommands<String, String> redis;
    private final JobRunner runner;
    private final RedisSettings settings;
    private final WorkerProperties.Worker config;
    private final String consumer;
    private final Semaphore slots;
    private final ExecutorService jobs = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("job-", 0).factory());
    private volatile boolean running;
    private @Nullable Thread loop;
    private @Nullable StatefulRedisConnection<String, String> blocking;

    public JobConsumer(
            RedisClient client,
            StatefulRedisConnection<String, String> shared,
            JobRunner runner,
            RedisSettings settings,
            WorkerProperties.Worker config) {
        this.client = client;
        this.redis = shared.sync();
        this.runner = runner;
        this.settings = settings;
        this.config = config;
        this.consumer = config.consumerName();
        this.slots = new Semaphore(config.concurrency());
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
        Thread thread = Thread.ofPlatform().name("job-consumer").start(this::consumeLoop);
        loop = thread;
        log.info("Worker(name={}) consuming {} with concurrency {}", consumer, config.lanes(), config.concurrency());
    }

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
        StatefulRedisConnection<String, String> connection = blocking;
        if (connection != null) {
            connection.close();
        }
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
            Map<String, Long> deliveries = deliveryCounts(lane, pending.size());
            for (StreamMessage<String, String> message : pending) {
                long attempt = deliveries.getOrDefault(message.getId(), 2L);
                slots.acquire();
                submit(new Delivery(lane, message, (int) Math.min(attempt, Integer.MAX_VALUE)));
            }
        }
    }

    /** Delivery counts of this consumer's pending entries (reading them again counted as one). */
    private Map<String, Long> deliveryCounts(Lane lane, int count) {
        if (count == 0) {
            return Map.of();
        }
        List<PendingMessage> pending = redis.xpending(
                RedisKeys.queue(lane),
                Consumer.from(RedisKeys.WORKER_GROUP, consumer),
                Range.create("-", "+"),
                Limit.from(count));
        return pending.stream()
                .collect(Collectors.toMap(PendingMessage::getId, PendingMessage::getRedeliveryCount, (a, b) -> a));
    }

    /** Takes a slot, then reads one job into it; the slot goes back unless a job got it. */
    private void dispatchNext() throws InterruptedException {
        slots.acquire();
        boolean submitted = false;
        try {
            Delivery next = readOne();
            if (next != null) {
                submit(next);
                submitted = true;
            }
        } finally {
            if (!submitted) {
                // A failed read (NOGROUP, Redis down) must not cost a slot, or the loop starves.
                slots.release();
            }
        }
    }

    /** One job, preferring lanes in their configured order; null when the block timed out. */
    private @Nullable Delivery readOne() {
        for (Lane lane : config.lanes()) {
            List<StreamMessage<String, String>> found =
                    JobQueue.read(blockingCommands(), lane, consumer, 1, Duration.ZERO, false);
            if (!found.isEmpty()) {
                return new Delivery(lane, found.get(0));
            }
        }
        Lane preferred = config.lanes().get(0);
        List<StreamMessage<String, String>> found =
                JobQueue.read(blockingCommands(), preferred, consumer, 1, config.pollTimeout(), false);
        return found.isEmpty() ? null : new Delivery(preferred, found.get(0));
    }

    private void submit(Delivery delivery) {
        jobs.execute(() -> {
            try {
                process(delivery);
            } finally {
                slots.release();
            }
        });
    }

    private void process(Delivery delivery) {
        Job job;
        try {
            job = WireCodec.decodeJob(delivery.message().getBody().getOrDefault(RedisKeys.JOB_FIELD, ""));
        } catch (MalformedWireDataException e) {
            deadLetter(delivery, e.getMessage());
            return;
        }
        try {
            if (runner.run(job, delivery.attempt())) {
                JobQueue.ack(redis, delivery.lane(), delivery.message().getId());
            }
        } catch (RedisException e) {
            // Not acked: the job stays in this consumer's pending list; it runs again when a worker
            // restarts under the same name (reclaim by other workers comes with issue 3).
            log.warn("Query(id={}) could not be completed in Redis: {}", job.id(), e.getMessage());
        }
    }

    private void deadLetter(Delivery delivery, @Nullable String reason) {
        log.warn(
                "Worker(name={}) undecodable job {} on {}: {}",
                consumer,
                delivery.message().getId(),
                delivery.lane().wireName(),
                reason);
        redis.xadd(
                RedisKeys.DEAD_LETTERS,
                Map.of(
                        "lane", delivery.lane().wireName(),
                        "entry", delivery.message().getId(),
                        "error", String.valueOf(reason),
                        "worker", consumer,
                        "raw", String.valueOf(delivery.message().getBody())));
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
