package dev.agentic.ingress.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import java.util.List;
import java.util.Map;

/**
 * The JSON body of a query answered in full ({@code POST /api/v1/query} without SSE).
 *
 * @param id the request's id (a replayed idempotent request's, not the job just built)
 * @param metadata the agent's metadata events merged; left out when there were none
 * @param toolCalls the functions the model asks the client to call (OpenAI API requests with {@code
 *     tools}), in order; left out when there were none
 */
public record QueryAnswer(
        String id,
        @JsonProperty("agent_type") String agentType,
        String answer,
        TokenUsage usage,
        @JsonProperty("finish_reason") String finishReason,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> metadata,

        @JsonProperty("tool_calls") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<StreamEvent.ToolCall> toolCalls) {

    /** What the answer cost. */
    public record TokenUsage(
            @JsonProperty("tokens_in") long tokensIn,
            @JsonProperty("tokens_out") long tokensOut,
            @JsonProperty("cost_usd") double costUsd) {
        static TokenUsage of(Usage usage) {
            return new TokenUsage(usage.tokensIn(), usage.tokensOut(), usage.costUsd());
        }
    }
}
