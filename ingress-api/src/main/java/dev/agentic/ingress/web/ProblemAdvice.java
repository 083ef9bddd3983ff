package dev.agentic.ingress.web;

import dev.agentic.model.LogText;
import dev.agentic.redis.RedisFailures;
import java.net.URI;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place where failures become HTTP responses: every refusal is {@code
 * application/problem+json} with a stable {@code code}; no stack trace ever leaves the process.
 */
@RestControllerAdvice
public class ProblemAdvice extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);
    private static final String TYPE_BASE = "urn:agentic:problem:";

    static URI typeOf(String code) {
        return URI.create(TYPE_BASE + code);
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        ProblemDetail problem = problem(e.status(), e.code(), String.valueOf(e.getMessage()));
        e.properties().forEach(problem::setProperty);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status());
        if (e.properties().get("retry_after_seconds") instanceof Number seconds) {
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(seconds.longValue()));
        }
        if (e.status() == HttpStatus.UNAUTHORIZED) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"agentic\"");
        }
        e.headers().forEach(response::header);
        return response.body(problem);
    }

    private ResponseEntity<ProblemDetail> redis(RuntimeException e) {
        log.warn("Redis unavailable: {}", LogText.safe(String.valueOf(e.getMessage())));
        return api(ApiException.redisFailure(e));
    }

    @ExceptionHandler(UnreadableJsonException.class)
    ResponseEntity<ProblemDetail> unreadableJson(UnreadableJsonException e) {
        ProblemDetail problem = JsonProblems.describe(e.getCause() == null ? e : e.getCause());
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        if (e instanceof RuntimeException failure && RedisFailures.isRedisFailure(failure)) {
            return redis(failure);
        }
        log.error("unexpected failure", SafeTrace.of(e));
        return ResponseEntity.internalServerError()
                .body(problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "An unexpected error occurred"));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (BodyLimitFilter.isTooLarge(ex)) {
            return problemResponse(HttpStatus.CONTENT_TOO_LARGE, "body_too_large", "The request body is too large");
        }
        ProblemDetail problem = JsonProblems.describe(ex);
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = ex.getBindingResult().getFieldErrors().stream()
                .map(error -> error.getField() + ": " + error.getDefaultMessage())
                .sorted()
                .collect(Collectors.joining("; "));
        return problemResponse(HttpStatus.BAD_REQUEST, "invalid_request", detail);
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(
            @Nullable Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail problem && problem.getProperties() == null) {
            String code = HttpStatus.resolve(statusCode.value()) == null
                    ? "http_" + statusCode.value()
                    : HttpStatus.valueOf(statusCode.value()).name().toLowerCase(java.util.Locale.ROOT);
            problem.setType(typeOf(code));
            problem.setProperty("code", code);
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    private static ResponseEntity<Object> problemResponse(HttpStatus status, String code, String detail) {
        return ResponseEntity.status(status).body(problem(status, code, detail));
    }

    static ProblemDetail problem(HttpStatus status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(typeOf(code));
        problem.setTitle(status.getReasonPhrase());
        problem.setProperty("code", code);
        return problem;
    }
}
