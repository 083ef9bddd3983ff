package dev.agentic.worker.consumer;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.redis.JobQueue;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles the jobs whose requests have ended, in batches: counts their usage, then acknowledges
 * their queue entries. The jobs that end within {@link #WINDOW} of each other cost one usage script
 * per tenant and day and one XACK per lane, instead of both per job. Nothing is lost on a failure:
 * an entry is acknowledged only after its usage was counted, and an entry left pending (a Redis
 * failure, a crash within the window) is reclaimed and settled again; the ledger counts a request
 * once.
 */
final class Settlements implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Settlements.class);

    /** How long the first job of a batch waits for others (a client has its answer by then). */
    static final Duration WINDOW = Duration.ofMillis(10);

    private record Ended(Delivery delivery, Job job) {}

    private final RedisClusterCommands<String, String> redis;
    private final Consumer<List<Job>> countUsage;
    private final RecentRequests recent;
    private final LinkedBlockingQueue<Ended> queue = new LinkedBlockingQueue<>();
    private @Nullable Thread thread;
    private volatile boolean closing;

    /**
     * @param countUsage counts the usage of the jobs' requests once each; throws a Redis failure
     * @param recent the ended requests' summaries, pushed after each batch
     */
    Settlements(RedisClusterCommands<String, String> redis, Consumer<List<Job>> countUsage, RecentRequests recent) {
        this.redis = redis;
        this.countUsage = countUsage;
        this.recent = recent;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("settlements").start(this::run);
    }

    /** Queues the job of an ended request for its settlement. */
    void add(Delivery delivery, Job job) {
        queue.add(new Ended(delivery, job));
    }

    private void run() {
        while (!closing) {
            try {
                Ended first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                Thread.sleep(WINDOW);
                List<Ended> batch = new ArrayList<>();
                batch.add(first);
                queue.drainTo(batch);
                settle(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) { // never end the thread: the jobs stay pending and are reclaimed
                log.error("Settling ended jobs failed; they stay pending and are settled when reclaimed", e);
            }
        }
    }

    private void settle(List<Ended> batch) {
        try {
            countUsage.accept(batch.stream().map(Ended::job).toList());
            Map<Lane, List<String>> entries = new EnumMap<>(Lane.class);
            for (Ended ended : batch) {
                entries.computeIfAbsent(ended.delivery().lane(), lane -> new ArrayList<>())
                        .add(ended.delivery().entryId());
            }
            entries.forEach((lane, ids) -> JobQueue.ack(redis, lane, ids));
        } catch (RedisException e) {
            log.warn(
                    "Could not settle {} ended job(s): {}; they stay pending and are settled when reclaimed",
                    batch.size(),
                    e.getMessage());
        }
        try {
            recent.flush(redis);
        } catch (RedisException e) {
            log.debug("Could not push the recent requests: {}", e.getMessage());
        }
    }

    /** Settles what is queued, then stops (before the worker's connections close). */
    @Override
    public void close() {
        closing = true;
        Thread running = thread;
        if (running != null) {
            try {
                running.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Ended> rest = new ArrayList<>();
        queue.drainTo(rest);
        if (!rest.isEmpty()) {
            settle(rest);
        }
    }
}
