package dev.agentic.worker.config;

import dev.agentic.retrieval.chunk.Chunker;
import dev.agentic.retrieval.chunk.ChunkingOptions;
import dev.agentic.retrieval.embed.Embedder;
import dev.agentic.retrieval.embed.OpenAiEmbeddingSettings;
import dev.agentic.retrieval.knowledge.KnowledgeBase;
import dev.agentic.retrieval.store.LuceneStoreSettings;
import dev.agentic.retrieval.store.QdrantSettings;
import dev.agentic.retrieval.store.VectorStore;
import dev.agentic.worker.agent.knowledge.KnowledgeSource;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the embedder, the vector store and the knowledge base at the first {@code ingest} or {@code
 * rag} job, not at startup: a worker that never sees such a job loads no model and opens no index,
 * and a vector store that is missing or unreachable fails those jobs (retryably) instead of the
 * worker's start. A failed opening is not remembered; the next job tries again.
 */
public final class LazyKnowledgeSource implements KnowledgeSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LazyKnowledgeSource.class);

    private final WorkerProperties.Retrieval settings;
    private @Nullable VectorStore store;
    private @Nullable KnowledgeBase knowledge;
    private boolean closed;

    public LazyKnowledgeSource(WorkerProperties.Retrieval settings) {
        this.settings = settings;
    }

    @Override
    public synchronized KnowledgeBase get() {
        if (closed) {
            throw new IllegalStateException("the knowledge base is closed (the worker is stopping)");
        }
        if (knowledge == null) {
            Embedder embedder = embedder(settings.embedder());
            VectorStore opened = store(settings.store(), embedder.dimension());
            try {
                knowledge = KnowledgeBase.create(Chunker.create(chunking(settings.chunking())), embedder, opened);
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            store = opened;
            log.info("Knowledge base opened: embedder {}, store {}", settings.embedder(), describe(settings.store()));
        }
        return knowledge;
    }

    static Embedder embedder(WorkerProperties.Embedder embedder) {
        return switch (embedder.type()) {
            case MINILM -> Embedder.allMiniLmL6V2();
            case OPENAI ->
                Embedder.openAiCompatible(OpenAiEmbeddingSettings.of(
                                URI.create(Objects.requireNonNull(embedder.baseUrl())),
                                Objects.requireNonNull(embedder.model()),
                                blankToNull(embedder.apiKey()),
                                Objects.requireNonNull(embedder.dimension()))
                        .withTimeouts(OpenAiEmbeddingSettings.DEFAULT_CONNECT_TIMEOUT, embedder.timeout()));
        };
    }

    static VectorStore store(WorkerProperties.Store store, int dimension) {
        return switch (store.type()) {
            case LUCENE ->
                VectorStore.lucene(LuceneStoreSettings.of(Path.of(store.indexDir()), dimension)
                        .withRefreshInterval(store.refreshInterval()));
            case QDRANT -> VectorStore.qdrant(qdrant(store.qdrant(), dimension));
        };
    }

    static QdrantSettings qdrant(WorkerProperties.Qdrant qdrant, int dimension) {
        return QdrantSettings.of(qdrant.host(), dimension)
                .withEndpoint(qdrant.host(), qdrant.port(), qdrant.tls())
                .withApiKey(blankToNull(qdrant.apiKey()))
                .withTimeout(qdrant.timeout())
                .withCollection(qdrant.collection());
    }

    private static ChunkingOptions chunking(WorkerProperties.Chunking chunking) {
        return ChunkingOptions.characters(chunking.size(), chunking.overlap());
    }

    private static String describe(WorkerProperties.Store store) {
        return switch (store.type()) {
            case LUCENE -> "lucene at " + Path.of(store.indexDir()).toAbsolutePath();
            case QDRANT -> store.qdrant().toString();
        };
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (store != null) {
            store.close();
            store = null;
            knowledge = null;
        }
    }
}
