package dev.agentic.redis;

import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A request's durable event log ({@link RedisKeys#events}) and status hash ({@link
 * RedisKeys#request}). Appending writes the entry and publishes it in one Lua script; the entry id
 * is the event's SSE id.
 */
public final class EventLog {
    private static final LuaScript OPEN = LuaScript.fromResource("open-request.lua");
    private static final LuaScript EMIT = LuaScript.fromResource("emit.lua");

    private final StatefulRedisConnection<String, String> connection;
    private final Duration retention;
    private final Clock clock;

    /**
     * @param retention how long a request's hash and log are kept after their last event
     */
    public EventLog(StatefulRedisConnection<String, String> connection, Duration retention, Clock clock) {
        this.connection = connection;
        this.retention = retention;
        this.clock = clock;
    }

    /**
     * Creates the request's hash and its {@code queued} event.
     *
     * @return false if a request with this id exists already
     */
    public boolean open(Job job) {
        String queued = WireCodec.encodeData(new StreamEvent.Queued(job.lane().wireName()));
        String id = OPEN.run(
                redis(),
                keys(job.id()),
                job.tenant(),
                job.agent(),
                job.lane().wireName(),
                String.valueOf(clock.millis()),
                String.valueOf(job.deadlineMs()),
                String.valueOf(retention.toSeconds()),
                queued);
        return id != null;
    }

    /**
     * Appends a non-terminal event.
     *
     * @return its entry id, or empty when the request is unknown or has already ended
     */
    public Optional<EventId> append(String requestId, StreamEvent event) {
        if (event.isTerminal()) {
            throw new IllegalArgumentException("use finish() for terminal events");
        }
        return emit(requestId, event, false, "");
    }

    /**
     * Appends the terminal event and records the final answer, unless another attempt has already
     * ended the request.
     *
     * @return its entry id, or empty when the request had already ended (or is unknown)
     */
    public Optional<EventId> finish(String requestId, StreamEvent terminal, String answer) {
        if (!terminal.isTerminal()) {
            throw new IllegalArgumentException(terminal.type() + " is not terminal");
        }
        return emit(requestId, terminal, true, answer);
    }

    private Optional<EventId> emit(String requestId, StreamEvent event, boolean terminal, String answer) {
        String id = EMIT.run(
                redis(),
                keys(requestId),
                event.type(),
                WireCodec.encodeData(event),
                String.valueOf(retention.toSeconds()),
                terminal ? "1" : "0",
                answer,
                String.valueOf(clock.millis()));
        return Optional.ofNullable(id).map(EventId::parse);
    }

    /** Up to {@code limit} events logged after {@code after}, oldest first. */
    public List<LoggedEvent> readAfter(String requestId, EventId after, int limit) {
        List<StreamMessage<String, String>> entries = redis().xrange(
                        RedisKeys.events(requestId),
                        Range.from(Range.Boundary.excluding(after.toString()), Range.Boundary.unbounded()),
                        Limit.from(limit));
        List<LoggedEvent> events = new ArrayList<>(entries.size());
        EventId previous = after;
        for (StreamMessage<String, String> entry : entries) {
            EventId id = EventId.parse(entry.getId());
            Map<String, String> body = entry.getBody();
            events.add(new LoggedEvent(
                    id,
                    previous,
                    body.getOrDefault(RedisKeys.EVENT_TYPE_FIELD, "unknown"),
                    body.getOrDefault(RedisKeys.EVENT_DATA_FIELD, "{}")));
            previous = id;
        }
        return events;
    }

    /** The request's hash (tenant, agent, status, answer, ...); empty when unknown or expired. */
    public Map<String, String> status(String requestId) {
        return redis().hgetall(RedisKeys.request(requestId));
    }

    private RedisCommands<String, String> redis() {
        return connection.sync();
    }

    private static String[] keys(String requestId) {
        return new String[] {RedisKeys.request(requestId), RedisKeys.events(requestId)};
    }
}
