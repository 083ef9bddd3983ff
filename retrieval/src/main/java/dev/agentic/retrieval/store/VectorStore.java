package dev.agentic.retrieval.store;

import java.util.List;

/**
 * Stores the embedded chunks of tenants' documents and finds the nearest ones to a query vector.
 *
 * <p>Tenant isolation: {@link #search} returns only chunks upserted under the same tenant, and a
 * document id names a different document in each tenant. Vectors are compared by cosine
 * similarity. Implementations are thread-safe. Failures are {@link VectorStoreException}s; {@link
 * VectorStoreUnavailableException} when a retry may succeed.
 */
public interface VectorStore extends AutoCloseable {
    /** The most results one search may ask for. */
    int MAX_TOP_K = 1_000;

    /** The length of the vectors this store holds. */
    int dimension();

    /**
     * Makes {@code chunks} the document's chunks: chunks stored earlier under the same tenant and
     * document id are replaced, never duplicated; none left means the document is deleted. Every
     * chunk must belong to {@code documentId}. Visible to searches in this process when it returns.
     */
    void upsert(String tenant, String documentId, List<EmbeddedChunk> chunks);

    /** Removes the document's chunks; nothing happens if there are none. */
    void delete(String tenant, String documentId);

    /** The tenant's chunks nearest to {@code query}, best first, at most {@code topK}. */
    List<Match> search(String tenant, float[] query, int topK);

    @Override
    void close();

    /** The embedded Lucene HNSW store in a directory every process of the host may share. */
    static VectorStore lucene(LuceneStoreSettings settings) {
        return LuceneVectorStore.open(settings);
    }

    /**
     * A Qdrant collection over gRPC. Connecting is lazy: the collection is checked (and created if
     * missing) on first use, so a store can be made while Qdrant is down.
     */
    static VectorStore qdrant(QdrantSettings settings) {
        return QdrantVectorStore.connect(settings);
    }
}
