package dev.agentic.ingress.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * The OpenAI API's error body, {@code {"error": {"message", "type", "param", "code"}}}: what every
 * refusal under {@code /v1/} answers with instead of problem+json (the body-size filter here, the
 * rest through the openai package's advice).
 */
public final class OpenAiErrorBody {
    /** The path prefix of the OpenAI API. */
    public static final String PATH_PREFIX = "/v1/";

    private OpenAiErrorBody() {}

    public static Map<String, Object> of(String message, String type, @Nullable String param, @Nullable String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }

    /** OpenAI's error type for a status ({@code code} tells a spent budget from a rate). */
    public static String typeOf(int status, @Nullable Object code) {
        if (status == HttpStatus.TOO_MANY_REQUESTS.value()) {
            return "budget_exceeded".equals(code) ? "insufficient_quota" : "rate_limit_error";
        }
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }
}
