package dev.agentic.ingress.query;

import dev.agentic.ingress.admission.Admission;
import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.limits.StreamPermit;
import dev.agentic.ingress.limits.TenantLimiter;
import dev.agentic.ingress.relay.Drain;
import dev.agentic.ingress.relay.EventCursor;
import dev.agentic.ingress.relay.SseRelay;
import dev.agentic.ingress.relay.Subscriptions;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.redis.EventLog;
import io.lettuce.core.RedisException;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.time.Clock;
import java.util.Locale;
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
 * it created before instead of enqueuing a second one.
 */
@RestController
class QueryController {
    static final String IDEMPOTENT_REPLAY_HEADER = "Idempotent-Replayed";

    private final QueryService queries;
    private final EventLog events;
    private final Subscriptions subscriptions;
    private final SseRelay sse;
    private final Drain drain;
    private final Admission admission;
    private final TenantLimiter limits;
    private final IngressProperties.Ingress config;
    private final Clock clock;

    QueryController(
            QueryService queries,
            EventLog events,
            Subscriptions subscriptions,
            SseRelay sse,
            Drain drain,
            Admission admission,
            TenantLimiter limits,
            IngressProperties properties,
            Clock clock) {
        this.limits = limits;
        this.queries = queries;
        this.events = events;
        this.subscriptions = subscriptions;
        this.sse = sse;
        this.drain = drain;
        this.admission = admission;
        this.config = properties.ingress();
        this.clock = clock;
    }

    @PostMapping(path = "/api/v1/query", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Nullable
    ResponseEntity<Map<String, Object>> query(
            @Valid @RequestBody QueryRequest request,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept,
            @RequestHeader(value = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            @RequestHeader(value = "X-Timeout-Ms", required = false) @Nullable String timeout,
            HttpServletResponse response) {
        if (drain.isDraining()) {
            throw ApiException.shuttingDown();
        }
        String tenant = config.defaultTenant();
        Job job = queries.prepare(request, tenant, timeout);
        limits.admitQuery(tenant).writeTo(response);
        try (StreamPermit permit = limits.openStream(tenant)) {
            return query(job, tenant, accept, idempotencyKey, response);
        }
    }

    private @Nullable ResponseEntity<Map<String, Object>> query(
            Job job,
            String tenant,
            @Nullable String accept,
            @Nullable String idempotencyKey,
            HttpServletResponse response) {
        Optional<String> existing = idempotencyKey == null
                ? Optional.empty()
                : queries.claimIdempotencyKey(tenant, idempotencyKey, job.id());
        if (existing.isEmpty()) {
            admit(job, tenant, idempotencyKey);
        }
        String id = existing.orElse(job.id());
        // Subscribe before the job exists, so not even its first event can slip past.
        try (EventCursor cursor = new EventCursor(id, events, subscriptions, EventId.ZERO)) {
            if (existing.isPresent()) {
                response.setHeader(IDEMPOTENT_REPLAY_HEADER, "true");
            } else {
                enqueue(job, tenant, idempotencyKey);
            }
            if (wantsEventStream(accept)) {
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

    private void enqueue(Job job, String tenant, @Nullable String idempotencyKey) {
        try {
            queries.enqueue(job);
        } catch (RedisException e) {
            if (idempotencyKey != null) {
                queries.releaseIdempotencyKey(tenant, idempotencyKey, job.id());
            }
            throw e;
        }
    }

    private Map<String, Object> awaitAnswer(Job job, String id, EventCursor cursor) {
        try (Drain.Registration registration = drain.register()) {
            return AnswerCollector.await(id, job.agent(), job.deadlineMs(), cursor, clock);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.shuttingDown(id);
        }
    }

    static boolean wantsEventStream(@Nullable String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(MediaType.TEXT_EVENT_STREAM_VALUE);
    }
}
