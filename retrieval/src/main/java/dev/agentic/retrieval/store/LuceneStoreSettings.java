package dev.agentic.retrieval.store;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the embedded Lucene index lives and how processes share it. Every process of a host that
 * opens the same directory sees the same index: Lucene allows one writer per directory, so each
 * process takes the directory's write lock only while it writes, and searches reopen the index
 * when another process has committed.
 *
 * @param directory the index directory, on a local disk (not NFS); created if missing
 * @param dimension the length of the vectors (at most 1024, Lucene's limit for HNSW)
 * @param refreshInterval how stale a search may be with respect to other processes' writes: a
 *     search reopens the index when its last check is older than this (own writes are visible at
 *     once)
 * @param writeLockTimeout how long a write waits for another process to release the write lock
 *     before it fails with {@link VectorStoreUnavailableException}
 * @param writerIdleTimeout how long the write lock is kept after a write, so a burst of writes
 *     opens the index writer once
 * @param maxWriterHold the longest one process keeps the write lock while it keeps writing; then it
 *     releases it and lets waiting processes in before it writes again
 */
public record LuceneStoreSettings(
        Path directory,
        int dimension,
        Duration refreshInterval,
        Duration writeLockTimeout,
        Duration writerIdleTimeout,
        Duration maxWriterHold) {
    /** Lucene's default limit on vector dimensions for HNSW. */
    public static final int MAX_DIMENSION = 1024;

    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_WRITE_LOCK_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_WRITER_IDLE_TIMEOUT = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_WRITER_HOLD = Duration.ofSeconds(2);

    public LuceneStoreSettings {
        if (dimension < 1 || dimension > MAX_DIMENSION) {
            throw new IllegalArgumentException(
                    "Lucene vectors have 1 to " + MAX_DIMENSION + " dimensions; for more use Qdrant: " + dimension);
        }
        requireNotNegative("refresh interval", refreshInterval);
        requireNotNegative("write lock timeout", writeLockTimeout);
        requireNotNegative("writer idle timeout", writerIdleTimeout);
        requireNotNegative("max writer hold", maxWriterHold);
    }

    /** The defaults for everything but the directory and the dimension. */
    public static LuceneStoreSettings of(Path directory, int dimension) {
        return new LuceneStoreSettings(
                directory,
                dimension,
                DEFAULT_REFRESH_INTERVAL,
                DEFAULT_WRITE_LOCK_TIMEOUT,
                DEFAULT_WRITER_IDLE_TIMEOUT,
                DEFAULT_MAX_WRITER_HOLD);
    }

    public LuceneStoreSettings withRefreshInterval(Duration interval) {
        return new LuceneStoreSettings(
                directory, dimension, interval, writeLockTimeout, writerIdleTimeout, maxWriterHold);
    }

    public LuceneStoreSettings withWriteLockTimeout(Duration timeout) {
        return new LuceneStoreSettings(
                directory, dimension, refreshInterval, timeout, writerIdleTimeout, maxWriterHold);
    }

    public LuceneStoreSettings withWriterHold(Duration idleTimeout, Duration maxHold) {
        return new LuceneStoreSettings(directory, dimension, refreshInterval, writeLockTimeout, idleTimeout, maxHold);
    }

    private static void requireNotNegative(String what, Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + duration);
        }
    }
}
