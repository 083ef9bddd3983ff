package dev.agentic.worker.agent;

import org.jspecify.annotations.Nullable;

/**
 * What an agent gets to work on.
 *
 * @param requestId for logs
 * @param tenant owner of the request
 * @param query the user's text
 * @param sessionId optional conversation id
 */
public record AgentRequest(
        String requestId,
        String tenant,
        String query,
        @Nullable String sessionId) {}
