package dev.agentic.redis;

import dev.agentic.model.CachedAnswer;
import dev.agentic.model.RedisKeys;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * The response-cache key of a query, as the workers that store answers and the ingress that serves
 * them both compute it: for {@link CachedAnswer#KNOWLEDGE_AGENTS} it includes the tenant's current
 * knowledge version (one {@code GET}), so an ingestion retires the answers it makes stale.
 */
public final class ResponseCacheKey {
    private ResponseCacheKey() {}

    /**
     * @throws io.lettuce.core.RedisException when Redis is unreachable
     * @throws NumberFormatException when the stored knowledge version is not a number
     */
    public static String of(RedisClusterCommands<String, String> redis, String tenant, String agent, String query) {
        long version = 0;
        if (CachedAnswer.KNOWLEDGE_AGENTS.contains(agent)) {
            String stored = redis.get(RedisKeys.knowledgeVersion(tenant));
            version = stored == null ? 0 : Long.parseLong(stored);
        }
        return RedisKeys.responseCache(tenant, CachedAnswer.digest(agent, version, query));
    }
}
