package dev.agentic.worker.config;

import dev.agentic.model.RedisKeys;
import dev.agentic.worker.agent.knowledge.KnowledgeVersions;
import io.lettuce.core.api.StatefulRedisConnection;

/** {@code INCR agentic:kbver:<tenant>}: the ingress keys cached {@code rag} answers by this counter. */
public final class RedisKnowledgeVersions implements KnowledgeVersions {
    private final StatefulRedisConnection<String, String> connection;

    public RedisKnowledgeVersions(StatefulRedisConnection<String, String> connection) {
        this.connection = connection;
    }

    @Override
    public void bump(String tenant) {
        connection.sync().incr(RedisKeys.knowledgeVersion(tenant));
    }
}
