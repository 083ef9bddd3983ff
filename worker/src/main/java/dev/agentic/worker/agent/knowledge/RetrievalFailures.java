package dev.agentic.worker.agent.knowledge;

import dev.agentic.retrieval.embed.EmbeddingException;
import dev.agentic.retrieval.store.VectorStoreException;
import dev.agentic.worker.agent.AgentException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs knowledge-base calls and turns their failures into errors fit for users: an unreachable
 * store or embedder is {@code retrieval_unavailable} (retryable), anything else the store or the
 * embedder refuses is {@code retrieval_failed}. The details go to the log, not to the client.
 */
final class RetrievalFailures {
    static final String UNAVAILABLE = "retrieval_unavailable";
    static final String FAILED = "retrieval_failed";

    private static final Logger log = LoggerFactory.getLogger(RetrievalFailures.class);

    /**
     * Knowledge-base calls run on their own thread, so that interrupting a job (cancel, deadline)
     * never interrupts the index's file I/O midway (an interrupted NIO channel is closed for every
     * user of the index); the job stops waiting instead, and the call stops at its next checkpoint.
     * Platform threads, not virtual ones: chunking and embedding compute, and a computing virtual
     * thread holds its carrier until it is done, stalling every other virtual thread behind it.
     */
    private static final ExecutorService CALLS = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().daemon().name("knowledge-", 0).factory());

    private RetrievalFailures() {}

    /** Runs {@code call} off the job's thread and waits for it; an interrupt stops the wait only. */
    static <T> T call(String requestId, Supplier<T> call) throws InterruptedException {
        Future<T> result = CALLS.submit(call::get);
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw translate(requestId, e.getCause() == null ? e : e.getCause());
        }
    }

    private static RuntimeException translate(String requestId, Throwable failure) {
        return switch (failure) {
            case VectorStoreException e when e.retryable() -> unavailable(requestId, e);
            case EmbeddingException e when e.retryable() -> unavailable(requestId, e);
            case VectorStoreException e -> failed(requestId, e);
            case EmbeddingException e -> failed(requestId, e);
            case CancellationException e -> e;
            case RuntimeException e -> e;
            default -> new IllegalStateException(failure);
        };
    }

    private static AgentException unavailable(String requestId, RuntimeException e) {
        log.warn("Query(id={}) knowledge base unavailable: {}", requestId, e.toString());
        return new AgentException(
                UNAVAILABLE, "The knowledge base is unavailable right now; please try again shortly", true, e);
    }

    private static AgentException failed(String requestId, RuntimeException e) {
        log.warn("Query(id={}) knowledge base failed", requestId, e);
        return new AgentException(FAILED, "The knowledge base could not handle this request", false, e);
    }
}
