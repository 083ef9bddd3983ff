/**
 * The vector store port, {@link dev.agentic.retrieval.store.VectorStore}, and its two adapters: an
 * embedded Lucene HNSW index on local disk that every process of a host shares (the single-host
 * default), and Qdrant over gRPC (for scale). Both keep tenants apart: a search only ever sees the
 * chunks of the tenant it names.
 */
@NullMarked
package dev.agentic.retrieval.store;

import org.jspecify.annotations.NullMarked;
