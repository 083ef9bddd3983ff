package dev.agentic.ingress.dashboard;

import dev.agentic.ingress.security.RequiresRole;
import dev.agentic.ingress.security.Role;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.EventId;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisLink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the dashboard reads beyond the public and admin APIs: the live overview (once, or as a
 * stream), the requests workers ended lately, and any request's whole event log, whatever its
 * tenant (operators replay what a client saw).
 */
@RestController
@RequiresRole(Role.OPERATOR)
class DashboardController {
    /** The most recent requests one call returns (the list keeps agentic.trim.recent-requests). */
    static final int MAX_RECENT = 500;
    /** The most events one replay returns; a longer log says {@code truncated}. */
    static final int MAX_REPLAYED_EVENTS = 5000;
    /** The most bytes of event data one replay returns (an event holds up to 64 KiB). */
    static final int MAX_REPLAYED_BYTES = 4 * 1024 * 1024;
    /** Events read from Redis per round trip of a replay. */
    static final int REPLAY_PAGE = 200;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Overview overview;
    private final OverviewStreams streams;
    private final RedisLink redis;
    private final EventLog events;

    DashboardController(Overview overview, OverviewStreams streams, RedisLink redis, EventLog events) {
        this.overview = overview;
        this.streams = streams;
        this.redis = redis;
        this.events = events;
    }

    @GetMapping("/api/v1/admin/overview")
    Map<String, Object> overview() {
        return overview.current();
    }

    @GetMapping(path = "/api/v1/admin/overview/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter overviewStream() {
        return streams.open();
    }

    @GetMapping("/api/v1/admin/requests")
    Map<String, Object> recent(@RequestParam(value = "count", defaultValue = "50") int count) {
        if (count < 1 || count > MAX_RECENT) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "invalid_count", "count must be between 1 and " + MAX_RECENT);
        }
        List<JsonNode> requests = new ArrayList<>();
        for (String line : redis.sync().lrange(RedisKeys.RECENT_REQUESTS, 0, count - 1)) {
            try {
                JsonNode summary = JSON.readTree(line);
                if (summary.isObject() && summary.path("id").isString()) {
                    requests.add(summary);
                } // else not a summary a worker wrote: left out
            } catch (JacksonException e) {
                // not JSON: left out
            }
        }
        return Map.of("requests", requests);
    }

    @GetMapping("/api/v1/admin/requests/{id}/events")
    Map<String, Object> replay(@PathVariable("id") String id) {
        Map<String, String> status = RequestId.isValid(id) ? events.status(id) : Map.of();
        if (status.isEmpty() && (!RequestId.isValid(id) || !events.hasLog(id))) {
            throw ApiException.notFound(id);
        }
        List<Map<String, Object>> replayed = new ArrayList<>();
        EventId after = EventId.ZERO;
        long bytes = 0;
        boolean truncated = false;
        while (!truncated) {
            List<LoggedEvent> page = events.readAfter(id, after, REPLAY_PAGE);
            for (LoggedEvent event : page) {
                bytes += event.data().length();
                if (replayed.size() == MAX_REPLAYED_EVENTS || bytes > MAX_REPLAYED_BYTES) {
                    truncated = true;
                    break;
                }
                Map<String, Object> frame = new LinkedHashMap<>();
                frame.put("id", event.id().toString());
                frame.put("event", event.type());
                frame.put("data", parsed(event.data()));
                replayed.add(frame);
                after = event.id();
            }
            if (page.size() < REPLAY_PAGE) {
                break;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("tenant", status.getOrDefault(RedisKeys.TENANT_FIELD, null));
        body.put("events", replayed);
        body.put("truncated", truncated);
        return body;
    }

    private static Object parsed(String data) {
        try {
            return JSON.readTree(data);
        } catch (JacksonException e) {
            return data;
        }
    }
}
