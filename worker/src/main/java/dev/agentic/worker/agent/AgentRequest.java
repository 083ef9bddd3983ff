package dev.agentic.worker.agent;

import dev.agentic.model.ChatOptions;
import org.jspecify.annotations.Nullable;

/**
 * What an agent gets to work on.
 *
 * @param requestId for logs
 * @param tenant owner of the request
 * @param query the user's text
 * @param sessionId optional conversation id
 * @param chat the conversation and sampling parameters of an OpenAI API request, for an agent that
 *     passes them to its provider; null otherwise
 */
public record AgentRequest(
        String requestId,
        String tenant,
        String query,
        @Nullable String sessionId,
        @Nullable ChatOptions chat) {

    /** A request without chat options. */
    public AgentRequest(String requestId, String tenant, String query, @Nullable String sessionId) {
        this(requestId, tenant, query, sessionId, null);
    }
}
