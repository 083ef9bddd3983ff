package dev.agentic.ingress.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.limits.StreamPermit;
import dev.agentic.ingress.limits.TenantLimiter;
import dev.agentic.ingress.relay.EventCursor;
import dev.agentic.ingress.relay.EventCursors;
import dev.agentic.ingress.relay.ResumeFormat;
import dev.agentic.ingress.relay.SseFormat;
import dev.agentic.ingress.relay.SseRelay;
import dev.agentic.ingress.security.Caller;
import dev.agentic.ingress.security.RequiresRole;
import dev.agentic.ingress.security.Role;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.EventId;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.redis.AttemptOutcome;
import dev.agentic.redis.EventLog;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One accepted request: its status, its event stream (resumable on any instance), its
 * cancellation. An id of another tenant, a malformed id and an unknown id all answer 404.
 */
@RestController
@RequiresRole(Role.USER)
class QueryResourceController {
    private final EventLog events;
    private final EventCursors cursors;
    private final SseRelay sse;
    private final IngressProperties.Ingress config;
    private final JsonMapper json;
    private final TenantLimiter limits;
    private final Clock clock;
    private static final String NATIVE_FORMAT = "native";
    private final Map<String, ResumeFormat> formats;

    QueryResourceController(
            EventLog events,
            EventCursors cursors,
            SseRelay sse,
            IngressProperties properties,
            JsonMapper json,
            TenantLimiter limits,
            Clock clock,
            List<ResumeFormat> formats) {
        this.clock = clock;
        this.formats = formats.stream().collect(Collectors.toUnmodifiableMap(ResumeFormat::name, f -> f));
        this.limits = limits;
        this.events = events;
        this.cursors = cursors;
        this.sse = sse;
        this.config = properties.ingress();
        this.json = json;
    }

    @GetMapping("/api/v1/queries/{id}")
    Status status(@PathVariable String id, Caller caller) {
        Map<String, String> hash = visible(id, caller);
        boolean ended = hash.containsKey(RedisKeys.RESULT_FIELD);
        return new Status(
                id,
                hash.get(RedisKeys.STATUS_FIELD),
                hash.get(RedisKeys.AGENT_FIELD),
                Long.parseLong(hash.getOrDefault("created_ms", "0")),
                Long.parseLong(hash.getOrDefault("updated_ms", "0")),
                Integer.parseInt(hash.getOrDefault("attempt", "0")),
                ended ? hash.getOrDefault(RedisKeys.ANSWER_FIELD, "") : null,
                ended ? json.readTree(hash.get(RedisKeys.RESULT_FIELD)) : null);
    }

    /**
     * The body of {@code GET /api/v1/queries/{id}}.
     *
     * @param answer the final answer, once the request has ended
     * @param result the final status's result JSON, once the request has ended
     */
    record Status(
            String id,
            @Nullable String status,
            @JsonProperty("agent_type") @Nullable String agentType,
            @JsonProperty("created_ms") long createdMs,
            @JsonProperty("updated_ms") long updatedMs,
            int attempt,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            String answer,

            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
            JsonNode result) {}

    /** The body of {@code DELETE /api/v1/queries/{id}}: the request and its status after the cancel. */
    record Cancelled(String id, @Nullable String status) {}

    /**
     * Replays the request's events after {@code Last-Event-ID} (or {@code ?after=}), then follows
     * it live, with no gap and no duplicate, until the terminal event; native frames, or those of
     * a {@link ResumeFormat} named by {@code ?format=} ({@code openai}: chat-completion chunks).
     */
    @GetMapping("/api/v1/queries/{id}/events")
    void events(
            @PathVariable String id,
            Caller caller,
            @RequestHeader(value = "Last-Event-ID", required = false) @Nullable String lastEventId,
            @RequestParam(value = "after", required = false) @Nullable String after,
            @RequestParam(value = "format", required = false) @Nullable String format,
            HttpServletResponse response) {
        ResumeFormat resumeFormat = resumeFormat(format);
        Map<String, String> hash = visible(id, caller);
        EventId from = resumePoint(lastEventId != null ? lastEventId : after);
        if (!events.hasLog(id)) {
            throw new ApiException(
                    HttpStatus.GONE,
                    "gone",
                    "The events of query '" + id + "' are no longer kept (retention " + config.eventRetention() + ")");
        }
        try (StreamPermit permit = limits.openStream(caller.tenant());
                EventCursor cursor = cursors.open(id, from, deadlineOf(hash))) {
            sse.relay(id, cursor, 0, response, resumeFormat == null ? SseFormat.NATIVE : resumeFormat.open(hash));
        }
    }

    /** The format {@code ?format=} names; null for the native one (the default). */
    private @Nullable ResumeFormat resumeFormat(@Nullable String format) {
        if (format == null || format.equals(NATIVE_FORMAT)) {
            return null;
        }
        ResumeFormat found = formats.get(format);
        if (found == null) {
            Set<String> known = new TreeSet<>(formats.keySet());
            known.add(NATIVE_FORMAT);
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "unknown_format",
                    "Unknown format '" + ApiException.printable(format) + "'",
                    Map.of("known_formats", known));
        }
        return found;
    }

    /** Cancels a queued or running request; its stream ends with {@code error} {@code cancelled}. */
    @DeleteMapping("/api/v1/queries/{id}")
    ResponseEntity<Cancelled> cancel(@PathVariable String id, Caller caller) {
        Map<String, String> hash = visible(id, caller);
        AttemptOutcome result = events.end(id, new StreamEvent.Error("cancelled", "Cancelled by the client", false));
        if (result instanceof AttemptOutcome.Written) {
            return ResponseEntity.accepted().body(new Cancelled(id, "cancelled"));
        }
        // Ended before the cancel arrived: DELETE is idempotent, the outcome stands.
        return ResponseEntity.ok(new Cancelled(
                id, events.status(id).getOrDefault(RedisKeys.STATUS_FIELD, hash.get(RedisKeys.STATUS_FIELD))));
    }

    /** The request's deadline; a hash without one gets the longest a client may ask for, from now. */
    private long deadlineOf(Map<String, String> hash) {
        return EventCursors.deadlineOf(
                hash, clock.millis() + config.maxDeadline().toMillis());
    }

    /**
     * The request's hash if it belongs to the caller's tenant; 404 otherwise, never 403, so another
     * tenant cannot even learn that an id exists.
     */
    private Map<String, String> visible(String id, Caller caller) {
        Map<String, String> hash = RequestId.isValid(id) ? events.status(id) : Map.of();
        if (hash.isEmpty() || !caller.tenant().equals(hash.get(RedisKeys.TENANT_FIELD))) {
            throw ApiException.notFound(id);
        }
        return hash;
    }

    private static EventId resumePoint(@Nullable String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return EventId.ZERO;
        }
        try {
            return EventId.parse(lastEventId.strip());
        } catch (IllegalArgumentException e) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid_last_event_id",
                    "Last-Event-ID must be an event id such as 1700000000000-0, as sent in the stream's id: lines");
        }
    }
}
