package dev.agentic.redis;

import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
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
        @Nullable Long lag, @Nullable Long entriesRead, String lastDeliveredId, long length, long pending, long next) {
    private static final LuaScript READ = LuaScript.fromResource("lane-stats.lua");
    private static final LuaScript REPAIR_LAG = LuaScript.fromResource("repair-lag.lua");

    public LaneStats {
        if (length < 0 || pending < 0 || next < 0) {
            throw new IllegalArgumentException("negative stream counters");
        }
    }

    /** The lane's counters, or null when its stream or its {@code workers} group does not exist. */
    public static @Nullable LaneStats read(RedisClusterCommands<String, String> redis, Lane lane) {
        String reply = READ.run(
                redis, new String[] {RedisKeys.queue(lane)}, RedisKeys.WORKER_GROUP, Integer.toString(COUNTED + 1));
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
                Long.parseLong(parts[5]));
    }

    /**
     * Entries after the group's last delivered one that each sample counts exactly (inside Redis):
     * up to this many, {@link #next} is the true backlog, and the lag Redis reports must equal it.
     */
    public static final int COUNTED = 100;

    /** Whether an entry lies after the group's last delivered one (a job no worker has taken). */
    public boolean undelivered() {
        return next > 0;
    }

    /**
     * Redis reports a lag the stream contradicts: not the {@link #next} entries counted, or below
     * {@link #COUNTED} while more wait. After a reload past an AOF rewrite, Redis 7.0 restores the
     * rewrite's read counter and ignores the reads replayed after it, so the lag stays too high for
     * good ({@code LaneLagTest}); {@link #repairLag} sets it right.
     */
    public boolean lagWrong() {
        return lag != null && (next <= COUNTED ? lag != next : lag <= COUNTED);
    }

    /**
     * Entries {@link #repairLag} counts at most: past it the lag stays unknown (and the admission
     * keeps its own estimate, {@link #waiting}).
     */
    public static final int REPAIR_MAX_ENTRIES = 100_000;

    /**
     * Gives the lane's group back a read counter when Redis has lost it (its lag is NULL: after an
     * AOF reload, or an {@code XGROUP SETID} without {@code ENTRIESREAD}) or has it wrong ({@link
     * #lagWrong}), so that the lag KEDA's scaler reads is the backlog again: one script counts the entries after the group's last
     * delivered one (inside Redis, at most {@link #REPAIR_MAX_ENTRIES}) and sets entries-read to
     * entries-added minus that count. Exact, and it stays exact: Redis only increments a valid
     * counter, so an estimate would stay off for good.
     *
     * @return the lag Redis reports after the repair, or null when nothing was repaired (no lane, no
     *     group, a lag that is right, or more entries waiting than the script counts)
     */
    public static @Nullable Long repairLag(RedisClusterCommands<String, String> redis, Lane lane) {
        String reply = REPAIR_LAG.run(
                redis,
                new String[] {RedisKeys.queue(lane)},
                RedisKeys.WORKER_GROUP,
                Integer.toString(REPAIR_MAX_ENTRIES));
        return reply == null || reply.isEmpty() ? null : Long.parseLong(reply);
    }

    /**
     * Jobs no worker has taken yet: the entries counted after the last delivered one, exact up to
     * {@link #COUNTED}. Past it, Redis's lag when it agrees, else what the stream holds beyond its
     * pending entries (the trimmer keeps acknowledged ones few).
     */
    public long waiting() {
        if (next <= COUNTED) {
            return next;
        }
        long notPending = Math.max(next, length - pending);
        return lag == null || lagWrong() ? notPending : Math.max(next, Math.min(lag, notPending));
    }

    private static @Nullable Long known(String value) {
        long parsed = Long.parseLong(value);
        return parsed < 0 ? null : parsed;
    }
}
