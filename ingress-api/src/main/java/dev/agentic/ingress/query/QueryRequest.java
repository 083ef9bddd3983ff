package dev.agentic.ingress.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import java.util.Locale;
import java.util.regex.Pattern;
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
 * @param cache {@code false} asks for a fresh answer even if the response cache holds one ({@code
 *     Cache-Control: no-cache} is the alternative)
 */
public record QueryRequest(
        @NotBlank(message = "must not be blank") @Nullable String query,
        @JsonProperty("agent_type") @Nullable String agentType,
        @JsonProperty("session_id") @Nullable String sessionId,
        @Nullable String lane,
        @JsonProperty("timeout_ms") @Nullable Long timeoutMs,
        @Nullable Boolean cache) {
    private static final Pattern NO_CACHE = Pattern.compile("\\b(no-cache|no-store)\\b");

    /** Whether the client lets a cached answer stand for a fresh one. */
    boolean acceptsCached(@Nullable String cacheControl) {
        boolean noCache = cacheControl != null
                && NO_CACHE.matcher(cacheControl.toLowerCase(Locale.ROOT)).find();
        return !Boolean.FALSE.equals(cache) && !noCache && sessionId == null;
    }
}
