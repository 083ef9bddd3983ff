package dev.agentic.worker.consumer;

import dev.agentic.model.Lane;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.worker.config.WorkerProperties;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read loop: takes the free slots, then as many jobs into them with one read (its own pending entries first after a
 * restart, then an abandoned one, then a new one by lane policy), and hands it on. A bad message or
 * a Redis outage never ends the loop; a lost consumer group is created again.
 *
 * <p>Lane policy: with {@link #MAX_BATCH} slots free, no lane's job waits for another's: one
 * blocking read takes new jobs of every lane at once (up to {@code MAX_BATCH / lanes} each), one
 * command per wake-up. With fewer slots free, lanes are read in the configured order without
 * blocking, so a waiting interactive job goes before a batch job, except that after {@code
 * other-lane-every} interactive jobs in a row a waiting batch job goes first (no starvation); when
 * all are empty the blocking read waits on the first lane, so a busy worker notices work on later
 * lanes within one poll timeout.
 */
final class ConsumeLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    /** The most jobs one read takes (one per free slot). */
    private static final int MAX_BATCH = 16;

    private final RedisConnector connector;
    private final RedisClusterCommands<String, String> redis;
    private final WorkerProperties.Worker config;
    private final String consumer;
    private final AgentThreads threads;
    private final Reclaimer reclaimer;
    private final BiConsumer<Delivery, AgentThreads.Slot> submit;
    private final BooleanSupplier running;
    /** Jobs taken in a row from the first lane. */
    private int preferredInARow;

    private volatile @Nullable RedisLink blocking;

    /**
     * @param submit runs a delivery in the slot it was read into (and gives the slot back)
     * @param running false once the worker stops
     */
    ConsumeLoop(
            RedisConnector connector,
            RedisClusterCommands<String, String> redis,
            WorkerProperties.Worker config,
            AgentThreads threads,
            Reclaimer reclaimer,
            BiConsumer<Delivery, AgentThreads.Slot> submit,
            BooleanSupplier running) {
        this.connector = connector;
        this.redis = redis;
        this.config = config;
        this.consumer = config.consumerName();
        this.threads = threads;
        this.reclaimer = reclaimer;
        this.submit = submit;
        this.running = running;
    }

    @Override
    public void run() {
        boolean ownPendingFirst = true;
        while (running.getAsBoolean()) {
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
                if (!recover(e)) {
                    return;
                }
            } catch (RuntimeException | Error e) { // an Error must not end the loop for good
                log.error("Worker(name={}) unexpected error in consumer loop; continuing", consumer, e);
                if (!pause(RETRY_PAUSE)) {
                    return;
                }
            }
        }
    }

    /** Closes the blocking connection (after the loop has ended). */
    void close() {
        RedisLink connection = blocking;
        if (connection != null) {
            connection.close();
        }
    }

    /** After a Redis failure: recreate a lost group, or wait a moment; false when the loop must end. */
    private boolean recover(RedisException e) {
        if (JobQueue.isMissingGroup(e)) {
            log.warn("Worker(name={}) consumer group missing (Redis restarted?); creating it", consumer);
            return ensureGroupsQuietly() || pause(RETRY_PAUSE);
        }
        if (running.getAsBoolean()) {
            log.warn("Worker(name={}) Redis unavailable: {}; retrying in {}", consumer, e.getMessage(), RETRY_PAUSE);
            return pause(RETRY_PAUSE);
        }
        return true;
    }

    private void ensureBlockingConnection() {
        if (blocking == null) {
            blocking = connector.connectForBlocking(config.pollTimeout());
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
                long count = deliveries.getOrDefault(message.getId(), 2L);
                submit.accept(new Delivery(lane, message, count), threads.acquire());
            }
        }
    }

    /**
     * Takes a free slot (and any others free, up to {@link #MAX_BATCH}), then reads as many jobs in
     * one command; slots no job got go back. Waits first while computing agents queue for threads.
     */
    private void dispatchNext() throws InterruptedException {
        threads.awaitComputeRoom();
        List<AgentThreads.Slot> slots = new ArrayList<>(threads.tryAcquire(MAX_BATCH));
        if (slots.isEmpty()) {
            slots.add(threads.acquire());
        }
        int used = 0;
        try {
            for (Delivery next : readSome(slots.size())) {
                AgentThreads.Slot slot = slots.get(used++);
                submit.accept(next, slot);
            }
        } finally {
            // A failed read (NOGROUP, Redis down) must not cost a slot, or the loop starves.
            for (int i = used; i < slots.size(); i++) {
                slots.get(i).release();
            }
        }
    }

    /**
     * Up to {@code count} jobs: an abandoned one first (a dead worker's), else new ones, preferring
     * lanes in their configured order; empty when the block timed out.
     */
    private List<Delivery> readSome(int count) {
        Delivery reclaimed = reclaimer.reclaimOne();
        if (reclaimed != null) {
            return List.of(reclaimed);
        }
        List<Lane> lanes = config.lanes();
        if (count == MAX_BATCH) {
            return JobQueue.readLanes(blockingCommands(), lanes, consumer, count / lanes.size(), config.pollTimeout())
                    .stream()
                    .map(message -> new Delivery(JobQueue.laneOf(message, lanes), message))
                    .toList();
        }
        Lane first = lanes.get(0);
        List<Delivery> taken = new ArrayList<>(count);
        for (Lane lane : laneOrder()) {
            int wanted = count - taken.size();
            if (wanted == 0) {
                break;
            }
            List<StreamMessage<String, String>> found =
                    JobQueue.read(blockingCommands(), lane, consumer, wanted, Duration.ZERO, false);
            if (!found.isEmpty()) {
                preferredInARow = lane == first ? preferredInARow + found.size() : 0;
                found.forEach(message -> taken.add(new Delivery(lane, message)));
            }
        }
        if (!taken.isEmpty()) {
            return taken;
        }
        List<StreamMessage<String, String>> found =
                JobQueue.read(blockingCommands(), first, consumer, count, config.pollTimeout(), false);
        return found.stream().map(message -> new Delivery(first, message)).toList();
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

    private RedisClusterCommands<String, String> blockingCommands() {
        RedisLink connection = blocking;
        if (connection == null) {
            throw new IllegalStateException("consumer not started");
        }
        return connection.sync();
    }

    private boolean pause(Duration duration) {
        try {
            Thread.sleep(duration);
            return running.getAsBoolean();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
