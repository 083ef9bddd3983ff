package dev.agentic.ingress.query;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.relay.EventCursor;
import dev.agentic.ingress.relay.SseRelay;
import dev.agentic.ingress.relay.Subscriptions;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.redis.EventLog;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/query}: with {@code Accept: text/event-stream} the answer streams as SSE;
 * otherwise the call waits and returns it as JSON. {@code GET /api/v1/queries/{id}} reports status.
 */
@RestController
class QueryController {
    private final QueryService queries;
    private final EventLog events;
    private final Subscriptions subscriptions;
    private final SseRelay sse;
    private final IngressProperties.Ingress config;
    private final Clock clock;
    private final JsonMapper json;

    QueryController(
            QueryService queries,
            EventLog events,
            Subscriptions subscriptions,
            SseRelay sse,
            IngressProperties properties,
            Clock clock,
            JsonMapper json) {
        this.queries = queries;
        this.events = events;
        this.subscriptions = subscriptions;
        this.sse = sse;
        this.config = properties.ingress();
        this.clock = clock;
        this.json = json;
    }

    @PostMapping(path = "/api/v1/query", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Nullable
    ResponseEntity<Map<String, Object>> query(
            @Valid @RequestBody QueryRequest request,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept,
            HttpServletResponse response)
            throws InterruptedException {
        Job job = queries.prepare(request, config.defaultTenant());
        // Subscribe before the job exists, so not even its first event can slip past.
        try (EventCursor cursor = new EventCursor(job.id(), events, subscriptions, EventId.ZERO)) {
            queries.enqueue(job);
            if (wantsEventStream(accept)) {
                sse.relay(job.id(), cursor, job.createdAtMs(), response);
                return null;
            }
            return ResponseEntity.ok().header("X-Request-Id", job.id()).body(AnswerCollector.await(job, cursor, clock));
        }
    }

    @GetMapping("/api/v1/queries/{id}")
    Map<String, Object> status(@PathVariable String id) {
        Map<String, String> hash = RequestId.isValid(id) ? events.status(id) : Map.of();
        if (hash.isEmpty() || !config.defaultTenant().equals(hash.get(RedisKeys.TENANT_FIELD))) {
            throw ApiException.notFound(id);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("status", hash.get(RedisKeys.STATUS_FIELD));
        body.put("agent_type", hash.get(RedisKeys.AGENT_FIELD));
        body.put("created_ms", Long.parseLong(hash.getOrDefault("created_ms", "0")));
        body.put("updated_ms", Long.parseLong(hash.getOrDefault("updated_ms", "0")));
        if (hash.containsKey(RedisKeys.RESULT_FIELD)) {
            body.put("answer", hash.getOrDefault(RedisKeys.ANSWER_FIELD, ""));
            body.put("result", json.readTree(hash.get(RedisKeys.RESULT_FIELD)));
        }
        return body;
    }

    static boolean wantsEventStream(@Nullable String accept) {
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains(MediaType.TEXT_EVENT_STREAM_VALUE);
    }
}
