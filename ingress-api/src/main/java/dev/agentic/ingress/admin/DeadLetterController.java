package dev.agentic.ingress.admin;

import dev.agentic.ingress.security.RequiresRole;
import dev.agentic.ingress.security.Role;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.MalformedWireDataException;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisLink;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dead-letter stream ({@code agentic:dlq}): list, retry (as a new request, under the tenant of
 * the original) and purge. Operators only: dead letters of every tenant are here.
 */
@RestController
@RequiresRole(Role.OPERATOR)
class DeadLetterController {
    private final RedisLink redis;
    private final EventLog events;
    private final Clock clock;

    DeadLetterController(RedisLink redis, EventLog events, Clock clock) {
        this.redis = redis;
        this.events = events;
        this.clock = clock;
    }

    @GetMapping("/api/v1/admin/dead-letters")
    Map<String, Object> list(@RequestParam(value = "count", defaultValue = "100") int count) {
        List<Map<String, Object>> letters =
                commands()
                        .xrange(RedisKeys.DEAD_LETTERS, Range.create("-", "+"), Limit.from(Math.clamp(count, 1, 1000)))
                        .stream()
                        .map(DeadLetterController::describe)
                        .toList();
        return Map.of("total", commands().xlen(RedisKeys.DEAD_LETTERS), "dead_letters", letters);
    }

    /** Runs the job again as a new request (the old one keeps its terminal error). */
    @PostMapping("/api/v1/admin/dead-letters/{entryId}/retry")
    ResponseEntity<Map<String, Object>> retry(@PathVariable String entryId) {
        StreamMessage<String, String> letter = find(entryId);
        Job old;
        try {
            old = WireCodec.decodeJob(letter.getBody().getOrDefault(RedisKeys.JOB_FIELD, ""));
        } catch (MalformedWireDataException e) {
            throw new ApiException(
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    "not_retryable",
                    "This dead letter holds no readable job; purge it");
        }
        long now = clock.millis();
        Job again = new Job(
                Job.CURRENT_VERSION,
                RequestId.newId(),
                old.tenant(),
                old.agent(),
                old.query(),
                old.sessionId(),
                old.lane(),
                now,
                now + (old.deadlineMs() - old.createdAtMs()),
                old.traceparent());
        events.open(again);
        JobQueue.enqueue(commands(), again);
        commands().xdel(RedisKeys.DEAD_LETTERS, letter.getId());
        return ResponseEntity.accepted().body(Map.of("id", again.id(), "retried_from", old.id()));
    }

    @DeleteMapping("/api/v1/admin/dead-letters/{entryId}")
    ResponseEntity<Void> purgeOne(@PathVariable String entryId) {
        commands().xdel(RedisKeys.DEAD_LETTERS, find(entryId).getId());
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/api/v1/admin/dead-letters")
    Map<String, Object> purgeAll() {
        long purged = commands().xlen(RedisKeys.DEAD_LETTERS);
        commands().del(RedisKeys.DEAD_LETTERS);
        return Map.of("purged", purged);
    }

    private StreamMessage<String, String> find(String entryId) {
        String id;
        try {
            id = EventId.parse(entryId).toString();
        } catch (IllegalArgumentException e) {
            throw notFound(entryId);
        }
        return commands().xrange(RedisKeys.DEAD_LETTERS, Range.create(id, id)).stream()
                .findFirst()
                .orElseThrow(() -> notFound(entryId));
    }

    private static ApiException notFound(String entryId) {
        return new ApiException(
                HttpStatus.NOT_FOUND, "not_found", "No dead letter '" + ApiException.printable(entryId) + "'");
    }

    private static Map<String, Object> describe(StreamMessage<String, String> letter) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("entry_id", letter.getId());
        described.putAll(letter.getBody());
        return described;
    }

    private RedisClusterCommands<String, String> commands() {
        return redis.sync();
    }
}
