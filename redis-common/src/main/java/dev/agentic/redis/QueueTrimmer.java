package dev.agentic.redis;

import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * Keeps the lane streams and the dead-letter stream from growing without end, so that no job's
 * text (nor an ingested document of up to 1 MB) stays in Redis after it is answered.
 *
 * <p><b>Lanes.</b> {@link #trimLane} removes a lane's acknowledged history with {@code XTRIM MINID}
 * (never {@code XDEL} in the middle, which makes Redis's group {@code lag} unknown: KEDA's {@code
 * lagCount} and the ingress's admission read it). The cut is the lowest id the consumer group still
 * needs: the lowest id of its pending list, or the first id after its {@code last-delivered-id},
 * whichever is lower. Every entry below it was delivered and acknowledged; nothing reads it again.
 * Trimming leaves the group's {@code entries-read}, its pending list and the stream's {@code
 * entries-added} as they were, so the lag ({@code entries-added - entries-read}) stays exact.
 *
 * <p><b>Why no race.</b> The cut is read and applied inside one Lua script, which Redis runs
 * atomically: no delivery, acknowledgement or reclaim interleaves. Even as separate commands the
 * order would be safe, since the cut only moves up: a delivery raises {@code last-delivered-id} and
 * adds ids at or above it to the pending list, an acknowledgement removes a pending id, and a
 * reclaim ({@code XAUTOCLAIM}) moves pending ids between consumers without adding any. So an id
 * that is below the cut at one moment stays acknowledged for good, and a job delivered between
 * reading the cut and trimming lies above it. The script reads every group on the stream, so a
 * second group (an operator's tap) holds the cut back too; a stream without a group is left alone.
 *
 * <p><b>Dead letters.</b> {@link #trimDeadLetters} keeps the newest entries up to a maximum count
 * and drops those older than a maximum age; {@link #boundedPayload} cuts the copy of a job a dead
 * letter keeps.
 */
public final class QueueTrimmer {
    private static final LuaScript TRIM_LANE = LuaScript.fromResource("trim-lane.lua");

    private QueueTrimmer() {}

    /**
     * Removes the lane's entries that every consumer group has delivered and acknowledged.
     *
     * @return how many entries were removed
     */
    public static long trimLane(RedisClusterCommands<String, String> redis, Lane lane) {
        String removed = TRIM_LANE.run(redis, new String[] {RedisKeys.queue(lane)});
        return removed == null ? 0 : Long.parseLong(removed);
    }

    /**
     * Keeps at most {@code maxLength} dead letters, none older than {@code maxAge} (by the time in
     * its entry id, i.e. when it was dead-lettered).
     *
     * @return how many entries were removed
     */
    public static long trimDeadLetters(
            RedisClusterCommands<String, String> redis, long maxLength, Duration maxAge, Clock clock) {
        long oldest = Math.max(0, clock.millis() - maxAge.toMillis());
        long byAge = redis.xtrim(RedisKeys.DEAD_LETTERS, XTrimArgs.Builder.minId(oldest + "-0"));
        long byLength = redis.xtrim(RedisKeys.DEAD_LETTERS, XTrimArgs.Builder.maxlen(maxLength));
        return byAge + byLength;
    }

    /**
     * The payload (a job as the lane held it) cut to at most {@code maxBytes} of UTF-8, on a
     * character boundary, ending in a marker that gives the original size. A dead letter keeps this
     * copy instead of the whole job, so a poison document of a megabyte is not kept for days.
     */
    public static String boundedPayload(String payload, int maxBytes) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return payload;
        }
        String marker = cutMarker(bytes.length);
        int room = Math.max(0, maxBytes - marker.getBytes(StandardCharsets.UTF_8).length);
        return prefixWithin(payload, room) + marker;
    }

    /** What ends a cut payload. */
    static String cutMarker(int originalBytes) {
        return "...[cut: " + originalBytes + " bytes]";
    }

    /** The longest prefix of whole characters (code points) whose UTF-8 fits in {@code maxBytes}. */
    private static String prefixWithin(String text, int maxBytes) {
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = utf8Length(codePoint);
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }

    private static int utf8Length(int codePoint) {
        if (codePoint < 0x80) {
            return 1;
        }
        if (codePoint < 0x800) {
            return 2;
        }
        return codePoint < 0x10000 ? 3 : 4;
    }
}
