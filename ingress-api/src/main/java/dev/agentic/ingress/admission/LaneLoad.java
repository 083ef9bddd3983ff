package dev.agentic.ingress.admission;

/**
 * One lane's load at the last sample.
 *
 * @param lag entries waiting that no worker has read yet (the group's lag)
 * @param drainPerSecond how fast workers have been taking entries (smoothed)
 * @param maxDepth the admission threshold in force for the lane
 * @param pacePerSecond how fast workers take entries while some keep waiting: their pace, which
 *     the drain rate is only when they cannot keep up (otherwise it is the arrival rate, and after
 *     a quiet spell close to zero); 0 while the lane has not stayed backlogged from one sample to
 *     the next, when no wait can be predicted
 */
public record LaneLoad(long lag, double drainPerSecond, long maxDepth, double pacePerSecond) {
    static final LaneLoad UNKNOWN = new LaneLoad(0, 0, Long.MAX_VALUE, 0);

    /** Seconds until the queue should be below its threshold again, at the observed drain rate. */
    long secondsUntilRoom() {
        double excess = lag - maxDepth + 1;
        return clampSeconds(excess / Math.max(drainPerSecond, 0.1));
    }

    /** Seconds a new job would wait before a worker takes it; 0 when it cannot be told. */
    double predictedWaitSeconds() {
        return pacePerSecond <= 0 ? 0 : lag / pacePerSecond;
    }

    static long clampSeconds(double seconds) {
        return Math.max(1, Math.min(120, (long) Math.ceil(seconds)));
    }
}
