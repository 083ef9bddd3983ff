package dev.agentic.worker.agent.knowledge;

import dev.agentic.retrieval.knowledge.KnowledgeBase;

/**
 * The knowledge base, opened on first use (a port: the worker's configuration opens the embedder and
 * the vector store it is configured with). Opening may fail now and succeed later, so a worker
 * starts and serves other agents while the vector store is missing.
 */
@FunctionalInterface
public interface KnowledgeSource {
    /**
     * @throws dev.agentic.retrieval.store.VectorStoreException when the store cannot be opened
     * @throws dev.agentic.retrieval.embed.EmbeddingException when the embedder cannot be loaded
     */
    KnowledgeBase get();
}
