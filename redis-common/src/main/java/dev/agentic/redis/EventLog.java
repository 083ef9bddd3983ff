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

/**
 * A request's durable event log ({@link RedisKeys#events}) and status hash ({@link
 * RedisKeys#request}). Appending writes the entry and publishes it in one Lua script; the entry id
 * is the event's SSE id.
 */
public final class EventLog {
    private static final LuaScript OPEN = LuaScript.fromResource("open-request.lua");
    private static final LuaScript EMIT = LuaScript.fromResource("emit.lua");
    private static final LuaScript BEGIN = LuaScript.fromResource("begin-attempt.lua");
    private static final LuaScript ATTACH = LuaScript.fromResource("count-attach.lua");

    private final StatefulRedisConnection<String, String> connection;
    private final Duration retention;
    private final Duration statusRetention;
    private final Clock clock;

    /**
     * @param retention how long a request's hash and log are kept after their last event
     * @param statusRetention how long the hash (status, answer, tenant) outlives the terminal event;
     *     once the log has expired, the hash is what tells "gone" (410) from "never existed" (404)
     */
    public EventLog(
            StatefulRedisConnection<String, String> connection,
            Duration retention,
            Duration statusRetention,
            Clock clock) {
        if (statusRetention.compareTo(retention) < 0) {
            throw new IllegalArgumentException("status retention must not be shorter than the event retention");
        }
        this.connection = connection;
        this.retention = retention;
        this.statusRetention = statusRetention;
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
     * Begins an attempt at the job's request: numbers it, atomically and in one place, one above
     * every attempt begun before (however those ended: an exception, an Error, a kill) and at least
     * {@code deliveryCount}; creates the request first if its ingress never wrote it.
     *
     * @param deliveryCount how often the queue entry has been delivered (XREADGROUP, XAUTOCLAIM)
     */
    public Attempt beginAttempt(Job job, long deliveryCount) {
        String queued = WireCodec.encodeData(new StreamEvent.Queued(job.lane().wireName()));
        List<Object> reply = BEGIN.runMulti(
                redis(),
                keys(job.id()),
                job.tenant(),
                job.agent(),
                job.lane().wireName(),
                String.valueOf(clock.millis()),
                String.valueOf(job.deadlineMs()),
                String.valueOf(retention.toSeconds()),
                queued,
                String.valueOf(Math.max(1, deliveryCount)));
        return new Attempt(
                Integer.parseInt(String.valueOf(reply.get(0))),
                String.valueOf(reply.get(1)),
                Integer.parseInt(String.valueOf(reply.get(2))));
    }

    /**
     * An attempt that has begun.
     *
     * @param number the attempt number (1 for the first), used by its events and the max-deliveries check
     * @param status the request's status when it began ({@code queued}, {@code running}, {@code done}, ...)
     * @param lastWriter the attempt that last wrote an event of the request; 0 when none has
     */
    public record Attempt(int number, String status, int lastWriter) {
        public Attempt {
            if (number < 1) {
                throw new IllegalArgumentException("attempts count from 1");
            }
        }

        /** An earlier attempt wrote events a client may be showing: this one begins with {@code restart}. */
        public boolean followsAWrittenAttempt() {
            return lastWriter > 0 && lastWriter < number;
        }
    }

    /**
     * The writer of one attempt at a request. Its events carry the attempt number and a sequence
     * number, so a retried append is written once and a superseded attempt is refused.
     *
     * @param attempt 1 for the first delivery of the job, more for later ones
     * @param retryFor how long an append keeps retrying while Redis is unreachable (zero: no retry)
     */
    public AttemptWriter attempt(String requestId, int attempt, Duration retryFor) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1");
        }
        return new AttemptWriter(this, requestId, attempt, retryFor);
    }

    /**
     * Ends the request on behalf of the system (a cancel, a dead letter, an unqueueable job),
     * whatever attempt is running: the running attempt's next append then answers {@link
     * AttemptOutcome.Ended}.
     */
    public AttemptOutcome end(String requestId, StreamEvent terminal) {
        return emit(requestId, terminal, "", 0, 0);
    }

    AttemptOutcome emit(String requestId, StreamEvent event, String answer, int attempt, int seq) {
        String reply = EMIT.run(
                redis(),
                keys(requestId),
                event.type(),
                WireCodec.encodeData(event),
                String.valueOf(retention.toSeconds()),
                event.isTerminal() ? "1" : "0",
                answer,
                String.valueOf(clock.millis()),
                String.valueOf(attempt),
                String.valueOf(seq),
                String.valueOf(statusRetention.toSeconds()));
        if (reply == null) {
            throw new IllegalStateException("emit script returned nothing");
        }
        return AttemptOutcome.fromReply(reply);
    }

    /**
     * Counts a client attaching to the request's stream (a first stream or a resume).
     *
     * @return how many attached so far, this one included; 0 when the request is gone
     */
    public long attach(String requestId) {
        String count = ATTACH.run(redis(), new String[] {RedisKeys.request(requestId)}, RedisKeys.ATTACHES_FIELD);
        return count == null ? 0 : Long.parseLong(count);
    }

    /** The attempt that last wrote an event of the request; 0 when none has. */
    public int lastAttempt(String requestId) {
        String attempt = redis().hget(RedisKeys.request(requestId), "attempt");
        return attempt == null ? 0 : Integer.parseInt(attempt);
    }

    /** True while the request's event log exists (it expires {@code retention} after the last event). */
    public boolean hasLog(String requestId) {
        return redis().exists(RedisKeys.events(requestId)) > 0;
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
