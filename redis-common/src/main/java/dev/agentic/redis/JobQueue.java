package dev.agentic.redis;

import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.WireCodec;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The lane streams and their consumer group. Entries are never deleted one by one (that breaks the
 * group's lag figure, which KEDA scales on); the queue is bounded by admission control.
 */
public final class JobQueue {
    private static final LuaScript REFRESH = LuaScript.fromResource("refresh-owned.lua");

    private JobQueue() {}

    /** Appends the job to its lane. */
    public static EventId enqueue(RedisClusterCommands<String, String> redis, Job job) {
        String id = redis.xadd(
                RedisKeys.queue(job.lane()),
                Map.of(
                        RedisKeys.VERSION_FIELD,
                        String.valueOf(job.v()),
                        RedisKeys.JOB_FIELD,
                        WireCodec.encodeJob(job)));
        return EventId.parse(id);
    }

    private static final LuaScript ENQUEUE_CLAIMED = LuaScript.fromResource("enqueue-claimed.lua");

    /**
     * Appends the job to its lane and, in the same atomic step, sets the Idempotency-Key claimed
     * for it to {@code claim} (if the key still exists): a key marked queued always has its job on
     * the queue, even when the instance dies between the two.
     */
    public static EventId enqueueClaimed(
            RedisClusterCommands<String, String> redis, Job job, String claimKey, String claim) {
        String id = ENQUEUE_CLAIMED.run(
                redis,
                new String[] {claimKey, RedisKeys.queue(job.lane())},
                claim,
                RedisKeys.VERSION_FIELD,
                String.valueOf(job.v()),
                RedisKeys.JOB_FIELD,
                WireCodec.encodeJob(job));
        if (id == null) {
            throw new IllegalStateException("enqueue script returned nothing");
        }
        return EventId.parse(id);
    }

    /** Creates the lane's stream and group if missing (also after Redis restarted and lost them). */
    public static void ensureGroup(RedisClusterCommands<String, String> redis, Lane lane) {
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
            RedisClusterCommands<String, String> redis,
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

    /**
     * New entries of several lanes in one command, up to {@code countPerLane} from each, waiting up to
     * {@code block} when all are empty; each message's {@link StreamMessage#getStream()} is its lane's
     * stream ({@link #laneOf}).
     */
    public static List<StreamMessage<String, String>> readLanes(
            RedisClusterCommands<String, String> redis,
            List<Lane> lanes,
            String consumer,
            int countPerLane,
            Duration block) {
        XReadArgs args = XReadArgs.Builder.count(countPerLane).block(block);
        @SuppressWarnings("unchecked")
        XReadArgs.StreamOffset<String>[] offsets = lanes.stream()
                .map(lane -> XReadArgs.StreamOffset.from(RedisKeys.queue(lane), ">"))
                .toArray(XReadArgs.StreamOffset[]::new);
        return redis.xreadgroup(Consumer.from(RedisKeys.WORKER_GROUP, consumer), args, offsets);
    }

    /** The lane whose stream a message was read from. */
    public static Lane laneOf(StreamMessage<String, String> message, List<Lane> lanes) {
        for (Lane lane : lanes) {
            if (RedisKeys.queue(lane).equals(message.getStream())) {
                return lane;
            }
        }
        throw new IllegalArgumentException("not a lane stream: " + message.getStream());
    }

    /**
     * Takes over entries of consumers that have been silent for {@code minIdle}: their worker died
     * (or stopped refreshing its jobs). The entries' delivery counts go up by one.
     */
    public static List<StreamMessage<String, String>> claimAbandoned(
            RedisClusterCommands<String, String> redis, Lane lane, String consumer, Duration minIdle, int count) {
        // XAUTOCLAIM looks at most 10 x COUNT pending entries per call: follow its cursor through the
        // whole pending list, or a dead worker's entries behind many live ones would wait for them.
        String cursor = "0-0";
        do {
            ClaimedMessages<String, String> claimed = redis.xautoclaim(
                    RedisKeys.queue(lane),
                    XAutoClaimArgs.Builder.xautoclaim(Consumer.from(RedisKeys.WORKER_GROUP, consumer), minIdle, cursor)
                            .count(count));
            List<StreamMessage<String, String>> found = claimed.getMessages().stream()
                    .filter(m -> m.getBody() != null && !m.getBody().isEmpty())
                    .toList();
            if (!found.isEmpty()) {
                return found;
            }
            cursor = claimed.getId();
        } while (cursor != null && !cursor.equals("0-0"));
        return List.of();
    }

    /**
     * Marks this consumer's entries as freshly delivered (idle time reset, delivery count unchanged),
     * so that no other worker reclaims a job that is still running, however long it runs. Only
     * entries this consumer still owns are refreshed, in one script: one that another worker
     * reclaimed meanwhile (this worker was paused past the reclaim timeout) stays with it.
     *
     * @return the ids this consumer no longer owns: their jobs must stop without writing
     */
    public static List<String> refresh(
            RedisClusterCommands<String, String> redis, Lane lane, String consumer, List<String> entryIds) {
        if (entryIds.isEmpty()) {
            return List.of();
        }
        String[] args = new String[entryIds.size() + 2];
        args[0] = RedisKeys.WORKER_GROUP;
        args[1] = consumer;
        for (int i = 0; i < entryIds.size(); i++) {
            args[i + 2] = entryIds.get(i);
        }
        return REFRESH.runMulti(redis, new String[] {RedisKeys.queue(lane)}, args).stream()
                .map(String::valueOf)
                .toList();
    }

    /**
     * Hands entries back for immediate reclaim: they stay in this consumer's pending list but look
     * idle for {@code idle}, so the next reclaim pass of any worker takes them (used when a worker
     * shuts down with jobs it could not finish).
     */
    public static void release(
            RedisClusterCommands<String, String> redis,
            Lane lane,
            String consumer,
            List<String> entryIds,
            Duration idle) {
        if (!entryIds.isEmpty()) {
            redis.xclaim(
                    RedisKeys.queue(lane),
                    Consumer.from(RedisKeys.WORKER_GROUP, consumer),
                    XClaimArgs.Builder.justid().minIdleTime(0).idle(idle),
                    entryIds.toArray(String[]::new));
        }
    }

    /** How often each of this consumer's pending entries has been delivered (1 = first delivery). */
    public static Map<String, Long> deliveryCounts(
            RedisClusterCommands<String, String> redis, Lane lane, String consumer, int count) {
        if (count <= 0) {
            return Map.of();
        }
        return redis
                .xpending(
                        RedisKeys.queue(lane),
                        Consumer.from(RedisKeys.WORKER_GROUP, consumer),
                        Range.create("-", "+"),
                        Limit.from(count))
                .stream()
                .collect(Collectors.toMap(PendingMessage::getId, PendingMessage::getRedeliveryCount, (a, b) -> a));
    }

    /** This consumer's pending entries with their idle time and delivery count, oldest first. */
    public static List<PendingMessage> pendingOf(
            RedisClusterCommands<String, String> redis, Lane lane, String consumer, int count) {
        return redis.xpending(
                RedisKeys.queue(lane),
                Consumer.from(RedisKeys.WORKER_GROUP, consumer),
                Range.create("-", "+"),
                Limit.from(count));
    }

    /** One entry of the lane's stream, or null when it is gone. */
    public static @Nullable StreamMessage<String, String> entry(
            RedisClusterCommands<String, String> redis, Lane lane, String entryId) {
        List<StreamMessage<String, String>> found = redis.xrange(RedisKeys.queue(lane), Range.create(entryId, entryId));
        return found.isEmpty() ? null : found.get(0);
    }

    public static void ack(RedisClusterCommands<String, String> redis, Lane lane, String entryId) {
        redis.xack(RedisKeys.queue(lane), RedisKeys.WORKER_GROUP, entryId);
    }

    /** Acknowledges several entries of a lane in one command. */
    public static void ack(RedisClusterCommands<String, String> redis, Lane lane, List<String> entryIds) {
        redis.xack(RedisKeys.queue(lane), RedisKeys.WORKER_GROUP, entryIds.toArray(String[]::new));
    }

    /** True for the error Redis answers when the stream or its group does not exist. */
    public static boolean isMissingGroup(RuntimeException e) {
        return e instanceof RedisCommandExecutionException
                && String.valueOf(e.getMessage()).startsWith("NOGROUP");
    }
}
