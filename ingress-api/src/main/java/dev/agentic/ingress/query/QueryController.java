package dev.agentic.ingress.query;

import dev.agentic.ingress.admission.Admission;
import dev.agentic.ingress.admission.AdmissionTimer;
import dev.agentic.ingress.limits.StreamPermit;
import dev.agentic.ingress.limits.TenantLimiter;
import dev.agentic.ingress.relay.Drain;
import dev.agentic.ingress.relay.EventCursor;
import dev.agentic.ingress.relay.EventCursors;
import dev.agentic.ingress.relay.SseRelay;
import dev.agentic.ingress.security.Caller;
import dev.agentic.ingress.security.RequiresRole;
import dev.agentic.ingress.security.Role;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.CachedAnswer;
import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.redis.EventLog;
import io.lettuce.core.RedisException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.util.Map;
import java.util.Optional;
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
 * tenant, and Idempotency-Keys are per tenant.
 */
@RestController
@RequiresRole(Role.USER)
class QueryController {
    static final String IDEMPOTENT_REPLAY_HEADER = "Idempotent-Replayed";
    /** Set to {@code hit} when the answer comes from the response cache. */
    static final String CACHE_HEADER = "X-Cache";

    private final QueryService queries;
    private final ResponseCache cache;
    private final EventLog events;
    private final EventCursors cursors;
    private final SseRelay sse;
    private final Drain drain;
    private final Admission admission;
    private final TenantLimiter limits;
    private final AdmissionTimer timer;

    QueryController(
            QueryService queries,
            ResponseCache cache,
            EventLog events,
            EventCursors cursors,
            SseRelay sse,
            Drain drain,
            Admission admission,
            TenantLimiter limits,
            AdmissionTimer timer) {
        this.limits = limits;
        this.timer = timer;
        this.queries = queries;
        this.cache = cache;
        this.events = events;
        this.cursors = cursors;
        this.sse = sse;
        this.drain = drain;
        this.admission = admission;
    }

    @PostMapping(path = "/api/v1/query", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Nullable
    ResponseEntity<Map<String, Object>> query(
            @Valid @RequestBody QueryRequest request,
            Caller caller,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept,
            @RequestHeader(value = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            @RequestHeader(value = "X-Timeout-Ms", required = false) @Nullable String timeout,
            @RequestHeader(value = HttpHeaders.CACHE_CONTROL, required = false) @Nullable String cacheControl,
            HttpServletRequest httpRequest,
            HttpServletResponse response) {
        if (drain.isDraining()) {
            throw ApiException.shuttingDown();
        }
        String tenant = caller.tenant();
        Job job = queries.prepare(request, tenant, timeout);
        caller.requireAgent(job.agent());
        timer.time(httpRequest, "limits", () -> limits.admitQuery(tenant)).writeTo(response);
        try (StreamPermit permit = timer.time(httpRequest, "streams", () -> limits.openStream(tenant))) {
            return query(
                    job, tenant, request.acceptsCached(cacheControl), accept, idempotencyKey, httpRequest, response);
        }
    }

    private @Nullable ResponseEntity<Map<String, Object>> query(
            Job job,
            String tenant,
            boolean acceptsCached,
            @Nullable String accept,
            @Nullable String idempotencyKey,
            HttpServletRequest httpRequest,
            HttpServletResponse response) {
        Optional<String> existing = idempotencyKey == null
                ? Optional.empty()
                : queries.claimIdempotencyKey(tenant, idempotencyKey, job.id());
        Optional<CachedAnswer> cached = existing.isEmpty() && acceptsCached ? cache.find(job) : Optional.empty();
        if (existing.isEmpty() && cached.isEmpty()) {
            timer.time(httpRequest, "queue", () -> admit(job, tenant, idempotencyKey));
        }
        timer.admitted(httpRequest);
        String id = existing.orElse(job.id());
        // Subscribe before the job exists, so not even its first event can slip past.
        long deadlineMs =
                existing.isPresent() ? EventCursors.deadlineOf(events.status(id), job.deadlineMs()) : job.deadlineMs();
        try (EventCursor cursor = cursors.open(id, EventId.ZERO, deadlineMs)) {
            if (existing.isPresent()) {
                response.setHeader(IDEMPOTENT_REPLAY_HEADER, "true");
            } else if (cached.isPresent()) {
                response.setHeader(CACHE_HEADER, "hit");
                accept(() -> cache.serve(job, cached.get()), job, tenant, idempotencyKey);
            } else {
                accept(() -> queries.enqueue(job, idempotencyKey), job, tenant, idempotencyKey);
            }
            if (SseRelay.wantsEventStream(accept)) {
                sse.relay(id, cursor, existing.isPresent() ? 0 : job.createdAtMs(), response);
                return null;
            }
            return ResponseEntity.ok().header("X-Request-Id", id).body(awaitAnswer(job, id, cursor));
        }
    }

    /** Refuses before anything is accepted; a key claimed for the refused job is given back. */
    private void admit(Job job, String tenant, @Nullable String idempotencyKey) {
        try {
            admission.admit(job);
        } catch (ApiException e) {
            if (idempotencyKey != null) {
                queries.releaseIdempotencyKey(tenant, idempotencyKey, job.id());
            }
            throw e;
        }
    }

    /**
     * Accepts the job (queues it or answers it from the cache); a key claimed for it is given back
     * when nothing was accepted (a Redis failure before the job is queued), never once it is.
     */
    private void accept(Runnable acceptance, Job job, String tenant, @Nullable String idempotencyKey) {
        try {
            acceptance.run();
        } catch (RedisException e) {
            if (idempotencyKey != null) {
                queries.releaseIdempotencyKey(tenant, idempotencyKey, job.id());
            }
            throw e;
        }
    }

    /** Waits for the answer; once the job is queued, every failure is a 202 with the id, never a 5xx. */
    private Map<String, Object> awaitAnswer(Job job, String id, EventCursor cursor) {
        try (Drain.Registration registration = drain.register()) {
            return AnswerCollector.await(id, job.agent(), cursor);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QueryService.accepted(id, "this instance is shutting down");
        } catch (RedisException e) {
            throw QueryService.accepted(id, "the connection to the queue was lost while waiting");
        }
    }
}
