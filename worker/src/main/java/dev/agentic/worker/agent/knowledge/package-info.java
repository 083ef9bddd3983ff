/**
 * The knowledge agents: {@code ingest} stores a tenant's document in the knowledge base, {@code rag}
 * answers a question from the tenant's documents with citations. They reach the knowledge base and
 * Redis only through the ports {@link dev.agentic.worker.agent.knowledge.KnowledgeSource} and
 * {@link dev.agentic.worker.agent.knowledge.KnowledgeVersions}.
 */
@NullMarked
package dev.agentic.worker.agent.knowledge;

import org.jspecify.annotations.NullMarked;
