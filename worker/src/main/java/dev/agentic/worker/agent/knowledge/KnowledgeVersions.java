package dev.agentic.worker.agent.knowledge;

/**
 * A per-tenant counter of changes to the knowledge base (a port: Redis in the worker). Caches of
 * answers drawn from the knowledge base include it in their key, so a change retires them.
 */
@FunctionalInterface
public interface KnowledgeVersions {
    /** Counts one change of the tenant's knowledge. */
    void bump(String tenant);
}
