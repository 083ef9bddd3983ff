package dev.agentic.ingress.openai;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Every refusal under {@code /v1/} in OpenAI's shape, {@code {"error": {"message", "type", "param",
 * "code"}}}, with the status, {@code code} and headers (Retry-After) of the problem the rest of the
 * API answers with: the problem+json body is rewritten on its way out, so both APIs refuse for the
 * same reasons.
 */
@RestControllerAdvice
class OpenAiErrors implements ResponseBodyAdvice<Object> {
    /** The problem property that names the offending parameter. */
    static final String PARAM = "param";

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public @Nullable Object beforeBodyWrite(
            @Nullable Object body,
            MethodParameter returnType,
            MediaType selectedContentType,
            Class<? extends HttpMessageConverter<?>> selectedConverterType,
            ServerHttpRequest request,
            ServerHttpResponse response) {
        if (!(body instanceof ProblemDetail problem)
                || !request.getURI().getPath().startsWith("/v1/")) {
            return body;
        }
        Map<String, Object> properties = problem.getProperties() == null ? Map.of() : problem.getProperties();
        Object code = properties.get("code");
        Object param = properties.get(PARAM);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return Map.of(
                "error",
                body(
                        String.valueOf(problem.getDetail()),
                        typeOf(problem.getStatus(), code),
                        param == null ? null : String.valueOf(param),
                        code == null ? null : String.valueOf(code)));
    }

    static Map<String, Object> body(String message, String type, @Nullable String param, @Nullable String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return error;
    }

    /** OpenAI's error type for a status. */
    static String typeOf(int status, @Nullable Object code) {
        if (status == HttpStatus.TOO_MANY_REQUESTS.value()) {
            return "budget_exceeded".equals(code) ? "insufficient_quota" : "rate_limit_error";
        }
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "invalid_request_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }
}
