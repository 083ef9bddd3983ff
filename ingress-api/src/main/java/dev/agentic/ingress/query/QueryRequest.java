package dev.agentic.ingress.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /api/v1/query}, as the original system's clients send it.
 *
 * @param query the question; required, not blank
 * @param agentType which agent answers; {@code agentic.ingress.default-agent} when absent
 * @param sessionId optional conversation id
 * @param lane {@code interactive} (default) or {@code batch}
 * @param timeoutMs optional deadline, in milliseconds from now (at most {@code
 *     agentic.ingress.max-deadline}); the {@code X-Timeout-Ms} header is the alternative
 */
public record QueryRequest(
        @NotBlank(message = "must not be blank") @Nullable String query,
        @JsonProperty("agent_type") @Nullable String agentType,
        @JsonProperty("session_id") @Nullable String sessionId,
        @Nullable String lane,
        @JsonProperty("timeout_ms") @Nullable Long timeoutMs) {}
