package dev.agentic.redis;

import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.WireCodec;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The lane streams and their consumer group. Entries are never deleted one by one (that breaks the
 * group's lag figure, which KEDA scales on); the queue is bounded by admission control.
 */
public final class JobQueue {
    private JobQueue() {}

    /** Appends the job to its lane. */
    public static EventId enqueue(RedisCommands<String, String> redis, Job job) {
        String id = redis.xadd(
                RedisKeys.queue(job.lane()),
                Map.of(
                        RedisKeys.VERSION_FIELD,
                        String.valueOf(job.v()),
                        RedisKeys.JOB_FIELD,
                        WireCodec.encodeJob(job)));
        return EventId.parse(id);
    }

    /** Creates the lane's stream and group if missing (also after Redis restarted and lost them). */
    public static void ensureGroup(RedisCommands<String, String> redis, Lane lane) {
        try {
            redis.xgroupCreate(
                    XReadArgs.StreamOffset.from(RedisKeys.queue(lane), "0"),
                    RedisKeys.WORKER_GROUP,
                    XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException e) {
            // BUSYGROUP: it exists already.
        }
    }

    /**
     * Reads up to {@code count} entries for {@code consumer}: new ones ({@code >}) or, with {@code
     * ownPending}, the ones already delivered to it and not acknowledged (its pending list, which a
     * restarted worker must finish first).
     */
    public static List<StreamMessage<String, String>> read(
            RedisCommands<String, String> redis,
            Lane lane,
            String consumer,
            int count,
            Duration block,
            boolean ownPending) {
        XReadArgs args = XReadArgs.Builder.count(count);
        if (!block.isZero()) {
            args.block(block);
        }
        return redis.xreadgroup(
                Consumer.from(RedisKeys.WORKER_GROUP, consumer),
                args,
                XReadArgs.StreamOffset.from(RedisKeys.queue(lane), ownPending ? "0" : ">"));
    }

    public static void ack(RedisCommands<String, String> redis, Lane lane, String entryId) {
        redis.xack(RedisKeys.queue(lane), RedisKeys.WORKER_GROUP, entryId);
    }

    /** True for the error Redis answers when the stream or its group does not exist. */
    public static boolean isMissingGroup(RuntimeException e) {
        return e instanceof RedisCommandExecutionException
                && String.valueOf(e.getMessage()).startsWith("NOGROUP");
    }
}
