package dev.agentic.ingress.query;

import dev.agentic.ingress.security.Caller;
import dev.agentic.ingress.security.RequiresRole;
import dev.agentic.ingress.security.Role;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/query}: with {@code Accept: text/event-stream} the answer streams as SSE;
 * otherwise the call waits and returns it as JSON. An {@code Idempotency-Key} returns the request
 * it created before instead of enqueuing a second one. Requests are recorded under the caller's
 * tenant, and Idempotency-Keys are per tenant. {@link Intake} accepts the request.
 */
@RestController
@RequiresRole(Role.USER)
class QueryController {
    private final Intake intake;

    QueryController(Intake intake) {
        this.intake = intake;
    }

    @PostMapping(path = "/api/v1/query", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Nullable
    ResponseEntity<QueryAnswer> query(
            @Valid @RequestBody QueryRequest request,
            Caller caller,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept,
            @RequestHeader(value = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            @RequestHeader(value = "X-Timeout-Ms", required = false) @Nullable String timeout,
            @RequestHeader(value = HttpHeaders.CACHE_CONTROL, required = false) @Nullable String cacheControl,
            HttpServletRequest httpRequest,
            HttpServletResponse response) {
        Intake.QueryHeaders headers = new Intake.QueryHeaders(accept, idempotencyKey, timeout, cacheControl);
        QueryAnswer answer = intake.query(request, caller, headers, httpRequest, response);
        if (answer == null) {
            return null; // streamed as SSE
        }
        return ResponseEntity.ok().header("X-Request-Id", answer.id()).body(answer);
    }
}
