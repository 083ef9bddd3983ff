package dev.agentic.worker.config;

import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisLink;
import dev.agentic.worker.agent.knowledge.KnowledgeVersions;

/** {@code INCR agentic:kbver:<tenant>}: the ingress keys cached {@code rag} answers by this counter. */
public final class RedisKnowledgeVersions implements KnowledgeVersions {
    private final RedisLink connection;

    public RedisKnowledgeVersions(RedisLink connection) {
        this.connection = connection;
    }

    @Override
    public void bump(String tenant) {
        connection.sync().incr(RedisKeys.knowledgeVersion(tenant));
    }
}
