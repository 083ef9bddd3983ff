package dev.agentic.worker.consumer;

/**
 * A worker's hold on one queue entry while its job runs. Lost when the lease keeper finds that
 * another worker reclaimed the entry (this one was paused past the reclaim timeout): the job then
 * stops without writing and without acknowledging.
 */
final class Lease {
    private Runnable onLost = () -> {};
    private boolean lost;

    /** Runs {@code action} when the lease is lost (at once if it is lost already). */
    synchronized void onLost(Runnable action) {
        onLost = action;
        if (lost) {
            action.run();
        }
    }

    /** Another worker owns the entry now. */
    void lose() {
        Runnable action;
        synchronized (this) {
            if (lost) {
                return;
            }
            lost = true;
            action = onLost;
        }
        action.run();
    }

    synchronized boolean isLost() {
        return lost;
    }
}
