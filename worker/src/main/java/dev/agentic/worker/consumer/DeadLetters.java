package dev.agentic.worker.consumer;

import dev.agentic.model.Job;
import dev.agentic.model.LogText;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.QueueTrimmer;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sets jobs aside that no attempt finishes: the dead-letter stream {@link RedisKeys#DEAD_LETTERS}. */
final class DeadLetters {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final RedisClusterCommands<String, String> redis;
    private final JobRunner runner;
    private final String consumer;
    private final MeterRegistry meters;
    private final int maxJobBytes;

    /** @param maxJobBytes the most bytes of the job's payload a dead letter keeps (the rest is cut) */
    DeadLetters(
            RedisClusterCommands<String, String> redis,
            JobRunner runner,
            String consumer,
            MeterRegistry meters,
            int maxJobBytes) {
        this.maxJobBytes = maxJobBytes;
        this.redis = redis;
        this.runner = runner;
        this.consumer = consumer;
        this.meters = meters;
    }

    /**
     * Moves an entry to the dead-letter stream with the reason, ends its request with an {@code
     * error} the client sees, and acknowledges it.
     */
    void add(Delivery delivery, @Nullable Job job, long attempts, String reason) {
        log.warn(
                "Worker(name={}) dead-lettering {} on {}: {}",
                consumer,
                delivery.entryId(),
                delivery.lane().wireName(),
                LogText.safe(reason));
        Map<String, String> letter = new LinkedHashMap<>();
        letter.put("lane", delivery.lane().wireName());
        letter.put("entry", delivery.entryId());
        letter.put("attempts", String.valueOf(attempts));
        letter.put("error", reason);
        letter.put("worker", consumer);
        letter.put("at_ms", String.valueOf(System.currentTimeMillis()));
        letter.put(
                RedisKeys.JOB_FIELD,
                QueueTrimmer.boundedPayload(
                        String.valueOf(delivery.message().getBody().get(RedisKeys.JOB_FIELD)), maxJobBytes));
        if (job != null) {
            letter.put("request_id", job.id());
        }
        redis.xadd(RedisKeys.DEAD_LETTERS, letter);
        if (job != null) {
            runner.endAsDeadLetter(job, (int) Math.min(attempts, Integer.MAX_VALUE));
        }
        meters.counter("agentic.jobs.dead_lettered", "lane", delivery.lane().wireName())
                .increment();
        JobQueue.ack(redis, delivery.lane(), delivery.entryId());
    }
}
