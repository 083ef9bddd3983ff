package dev.agentic.retrieval.store;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.LockObtainFailedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to an index directory that other processes (and other stores in this JVM) write to too.
 *
 * <p>Lucene's {@code write.lock} admits one {@link IndexWriter} per directory across processes
 * (an OS file lock, released when a process dies). A write opens the writer, waiting while another
 * holder has the lock, applies its change and commits, so the change is durable and visible to
 * every reader that reopens. The writer then stays open for {@code writerIdleTimeout} so a burst of
 * writes pays for opening it once, but never for longer than {@code maxWriterHold} in a row; after
 * a forced release this process waits briefly before taking the lock again, so that a process
 * polling for it gets its turn.
 */
final class LuceneWriter implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LuceneWriter.class);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Longer than {@link #MAX_BACKOFF_NANOS}, so a waiting process polls at least once. */
    private static final long HANDOFF_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(120);

    /** A change to the index. */
    @FunctionalInterface
    interface Change {
        void apply(IndexWriter writer) throws IOException;
    }

    private final Directory directory;
    private final LuceneStoreSettings settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final ScheduledExecutorService releaser;
    private @Nullable IndexWriter writer;
    private @Nullable ScheduledFuture<?> idleRelease;
    private long openedAtNanos;
    private long lastWriteNanos;
    private long reacquireNotBeforeNanos = System.nanoTime();
    private boolean closed;

    LuceneWriter(Directory directory, LuceneStoreSettings settings) {
        this.directory = directory;
        this.settings = settings;
        this.releaser = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "lucene-writer-release");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Applies the change and commits it; throws {@link VectorStoreException}s only. */
    void write(Change change) {
        lock.lock();
        try {
            if (closed) {
                throw new VectorStoreException("the Lucene store at " + settings.directory() + " is closed");
            }
            IndexWriter current = acquire();
            try {
                change.apply(current);
                current.commit();
            } catch (IOException | RuntimeException e) {
                abandon(current);
                throw new VectorStoreException("writing the Lucene index at " + settings.directory() + " failed", e);
            }
            lastWriteNanos = System.nanoTime();
            holdOrRelease();
        } finally {
            lock.unlock();
        }
    }

    private IndexWriter acquire() {
        IndexWriter current = writer;
        if (current != null) {
            return current;
        }
        long deadline = System.nanoTime() + settings.writeLockTimeout().toNanos();
        pauseUntil(reacquireNotBeforeNanos);
        long backoff = FIRST_BACKOFF_NANOS;
        while (true) {
            try {
                IndexWriter opened = new IndexWriter(directory, config());
                writer = opened;
                openedAtNanos = System.nanoTime();
                return opened;
            } catch (LockObtainFailedException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new VectorStoreUnavailableException(
                            "the Lucene index at " + settings.directory() + " stayed locked by another writer for "
                                    + settings.writeLockTimeout(),
                            e);
                }
                pauseUntil(System.nanoTime() + backoff);
                backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
            } catch (IOException e) {
                throw new VectorStoreException("opening the Lucene index at " + settings.directory() + " failed", e);
            }
        }
    }

    private static IndexWriterConfig config() {
        return new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
    }

    private void holdOrRelease() {
        cancelIdleRelease();
        boolean heldTooLong =
                System.nanoTime() - openedAtNanos >= settings.maxWriterHold().toNanos();
        if (heldTooLong || settings.writerIdleTimeout().isZero()) {
            release();
            reacquireNotBeforeNanos = System.nanoTime() + (heldTooLong ? HANDOFF_PAUSE_NANOS : 0);
        } else {
            idleRelease = releaser.schedule(
                    this::releaseIfIdle, settings.writerIdleTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void releaseIfIdle() {
        lock.lock();
        try {
            boolean idle = System.nanoTime() - lastWriteNanos
                    >= settings.writerIdleTimeout().toNanos();
            if (idle) {
                release();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the writer (waiting for running merges) and so releases the write lock. */
    private void release() {
        IndexWriter current = writer;
        writer = null;
        if (current == null) {
            return;
        }
        try {
            current.close();
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "LuceneStore(dir={}) closing the index writer failed; its last commit stands",
                    settings.directory(),
                    e);
            abandon(current);
        }
    }

    /** Drops uncommitted changes and releases the lock; the last commit stands. */
    private void abandon(IndexWriter current) {
        writer = null;
        try {
            current.rollback();
        } catch (IOException | RuntimeException e) {
            log.warn("LuceneStore(dir={}) rolling back the index writer failed", settings.directory(), e);
        }
    }

    private void cancelIdleRelease() {
        ScheduledFuture<?> pending = idleRelease;
        if (pending != null) {
            pending.cancel(false);
            idleRelease = null;
        }
    }

    private static void pauseUntil(long nanoTime) {
        long remaining = nanoTime - System.nanoTime();
        if (remaining <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(remaining);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VectorStoreUnavailableException("interrupted while waiting for the Lucene write lock", e);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            cancelIdleRelease();
            release();
        } finally {
            lock.unlock();
            releaser.shutdownNow();
        }
    }
}
