package dev.agentic.ingress.openai;

import dev.agentic.ingress.web.OpenAiErrorBody;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
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
                || !request.getURI().getPath().startsWith(OpenAiErrorBody.PATH_PREFIX)) {
            return body;
        }
        Map<String, Object> properties = problem.getProperties() == null ? Map.of() : problem.getProperties();
        Object code = properties.get("code");
        Object param = properties.get(PARAM);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return OpenAiErrorBody.of(
                String.valueOf(problem.getDetail()),
                OpenAiErrorBody.typeOf(problem.getStatus(), code),
                param == null ? null : String.valueOf(param),
                code == null ? null : String.valueOf(code));
    }
}
