/**
 * The building blocks put together: {@link dev.agentic.retrieval.knowledge.KnowledgeBase} chunks,
 * embeds and stores documents, and answers a tenant's question with its nearest chunks.
 */
@NullMarked
package dev.agentic.retrieval.knowledge;

import org.jspecify.annotations.NullMarked;
