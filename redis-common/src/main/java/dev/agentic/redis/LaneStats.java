package dev.agentic.redis;

import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import io.lettuce.core.api.sync.RedisCommands;
import org.jspecify.annotations.Nullable;

/**
 * A lane's counters as its consumer group sees them, read in one script that returns counts and
 * ids only: sampling a full lane costs a few hundred bytes, whatever its jobs weigh.
 *
 * @param lag entries no consumer has read yet, as Redis counts them; null when Redis cannot tell
 *     (after {@code XGROUP SETID}, or counters restored from an old AOF)
 * @param entriesRead entries the group has read since the stream began; null when Redis cannot tell
 * @param lastDeliveredId the group's {@code last-delivered-id}
 * @param length entries in the stream (its {@code XLEN})
 * @param pending entries delivered and not yet acknowledged
 * @param undelivered whether any entry lies after {@code lastDeliveredId}
 */
public record LaneStats(
        @Nullable Long lag,
        @Nullable Long entriesRead,
        String lastDeliveredId,
        long length,
        long pending,
        boolean undelivered) {
    private static final LuaScript READ = LuaScript.fromResource("lane-stats.lua");
    private static final LuaScript REPAIR_LAG = LuaScript.fromResource("repair-lag.lua");

    public LaneStats {
        if (length < 0 || pending < 0) {
            throw new IllegalArgumentException("negative stream counters");
        }
    }

    /** The lane's counters, or null when its stream or its {@code workers} group does not exist. */
    public static @Nullable LaneStats read(RedisCommands<String, String> redis, Lane lane) {
        String reply = READ.run(redis, new String[] {RedisKeys.queue(lane)}, RedisKeys.WORKER_GROUP);
        if (reply == null || reply.isEmpty()) {
            return null;
        }
        String[] parts = reply.split(" ");
        return new LaneStats(
                known(parts[0]),
                known(parts[1]),
                parts[2],
                Long.parseLong(parts[3]),
                Long.parseLong(parts[4]),
                parts[5].equals("1"));
    }

    /**
     * Entries {@link #repairLag} counts at most: past it the lag stays unknown (and the admission
     * keeps its own estimate, {@link #waiting}).
     */
    public static final int REPAIR_MAX_ENTRIES = 100_000;

    /**
     * Gives the lane's group back a read counter when Redis has lost it (its lag is NULL: after an
     * AOF reload, or an {@code XGROUP SETID} without {@code ENTRIESREAD}), so that the lag KEDA's
     * scaler reads is the backlog again: one script counts the entries after the group's last
     * delivered one (inside Redis, at most {@link #REPAIR_MAX_ENTRIES}) and sets entries-read to
     * entries-added minus that count. Exact, and it stays exact: Redis only increments a valid
     * counter, so an estimate would stay off for good.
     *
     * @return the lag Redis reports after the repair, or null when nothing was repaired (no lane, no
     *     group, a lag Redis still knows, or more entries waiting than the script counts)
     */
    public static @Nullable Long repairLag(RedisCommands<String, String> redis, Lane lane) {
        String reply = REPAIR_LAG.run(
                redis,
                new String[] {RedisKeys.queue(lane)},
                RedisKeys.WORKER_GROUP,
                Integer.toString(REPAIR_MAX_ENTRIES));
        return reply == null || reply.isEmpty() ? null : Long.parseLong(reply);
    }

    /**
     * Jobs no worker has taken yet. Redis's {@code lag} can be stale or unknown (after an AOF reload
     * it once reported 1038 with nothing waiting), so it is checked against the stream: nothing
     * waits when no entry lies after the last delivered one, and no more wait than the stream holds
     * beyond its pending entries (the trimmer keeps acknowledged ones few).
     */
    public long waiting() {
        if (!undelivered) {
            return 0;
        }
        long notPending = Math.max(1, length - pending);
        return lag == null ? notPending : Math.max(1, Math.min(lag, notPending));
    }

    private static @Nullable Long known(String value) {
        long parsed = Long.parseLong(value);
        return parsed < 0 ? null : parsed;
    }
}
