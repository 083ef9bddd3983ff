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
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A request's durable event log ({@link RedisKeys#events}) and status hash ({@link
 * RedisKeys#request}). Appending writes a batch of entries and publishes it to the relay channels
 * of the ingress instances following the request, in one Lua script; an entry id is the event's SSE
 * id.
 */
public final class EventLog {
    private static final LuaScript OPEN = LuaScript.fromResource("open-request.lua");
    private static final LuaScript EMIT = LuaScript.fromResource("emit.lua");
    private static final LuaScript BEGIN = LuaScript.fromResource("begin-attempt.lua");
    private static final LuaScript ATTACH = LuaScript.fromResource("count-attach.lua");

    /** Room after a job's deadline for its terminal event (a stopped agent's grace, a retry). */
    private static final Duration TERMINAL_MARGIN = Duration.ofMinutes(1);

    /** emit.lua's first event argument (0-based): type, then data, for each event. */
    private static final int FIRST_EVENT_ARG = 11;

    /**
     * The most a request's keys' TTLs are set above their retention, so that a request ending within
     * it (most do) need not set them again: two commands fewer per request. The log then lives between
     * its retention and this much more after the end; so does the status. A tenth of the retention
     * when that is less (short retentions in tests).
     */
    static final Duration TTL_SLACK = Duration.ofMinutes(1);

    private final RedisClusterCommands<String, String> redis;
    private final Duration retention;
    private final Duration statusRetention;
    private final Duration ttlSlack;
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
        this(connection.sync(), retention, statusRetention, clock);
    }

    /** The same on any synchronous command API: a standalone connection's, or a cluster's (every script's keys share the request's slot). */
    public EventLog(
            RedisClusterCommands<String, String> redis, Duration retention, Duration statusRetention, Clock clock) {
        if (statusRetention.compareTo(retention) < 0) {
            throw new IllegalArgumentException("status retention must not be shorter than the event retention");
        }
        this.redis = redis;
        this.retention = retention;
        this.statusRetention = statusRetention;
        Duration tenth = retention.dividedBy(10);
        this.ttlSlack = Duration.ofSeconds((tenth.compareTo(TTL_SLACK) < 0 ? tenth : TTL_SLACK).toSeconds());
        this.clock = clock;
    }

    /**
     * Creates the request's hash and its {@code queued} event; {@code relayChannel} (the opening
     * ingress's {@link RedisKeys#relayChannel}) joins the request's relays either way.
     *
     * @param relayChannel where the request's live events go; empty for none
     * @return the {@code queued} event, then the only event in the log; null if a request with this
     *     id exists already
     */
    public @Nullable LoggedEvent open(Job job, String relayChannel) {
        String queued = WireCodec.encodeData(new StreamEvent.Queued(job.lane().wireName()));
        String id = OPEN.run(
                redis(),
                keys(job.id()),
                job.tenant(),
                job.agent(),
                job.lane().wireName(),
                String.valueOf(clock.millis()),
                String.valueOf(job.deadlineMs()),
                String.valueOf(retention.plus(ttlSlack).toSeconds()),
                queued,
                relayChannel,
                String.valueOf(RedisKeys.MAX_RELAYS),
                String.valueOf(statusRetention.plus(ttlSlack).toSeconds()));
        return id == null ? null : new LoggedEvent(EventId.parse(id), EventId.ZERO, "queued", queued);
    }

    /**
     * Creates the request's hash and its {@code queued} event, with no relay.
     *
     * @return false if a request with this id exists already
     */
    public boolean open(Job job) {
        return open(job, "") != null;
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
                String.valueOf(retention.plus(ttlSlack).toSeconds()),
                queued,
                String.valueOf(Math.max(1, deliveryCount)),
                String.valueOf(statusRetention.plus(ttlSlack).toSeconds()));
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
     * The writer of one attempt at a request. Its batches carry the attempt number and a sequence
     * number, so a retried append is written once and a superseded attempt is refused. Its first
     * batch refreshes the keys' TTL (see {@link #attempt(Job, int, Duration)} for when that can be
     * skipped).
     *
     * @param attempt 1 for the first delivery of the job, more for later ones
     * @param retryFor how long an append keeps retrying while Redis is unreachable (zero: no retry)
     */
    public AttemptWriter attempt(String requestId, int attempt, Duration retryFor) {
        return writer(requestId, attempt, retryFor, true);
    }

    /**
     * The writer of one attempt at the job's request. The TTL set when the request was opened
     * ({@code retention} from about the job's creation) is refreshed by the attempt's first batch
     * only if the job's deadline, plus a margin for the terminal event, could outlast it; the
     * terminal event always sets the final TTLs.
     */
    public AttemptWriter attempt(Job job, int attempt, Duration retryFor) {
        boolean mayOutliveTtl =
                job.deadlineMs() + TERMINAL_MARGIN.toMillis() > job.createdAtMs() + retention.toMillis();
        return writer(job.id(), attempt, retryFor, mayOutliveTtl);
    }

    private AttemptWriter writer(String requestId, int attempt, Duration retryFor, boolean refreshTtl) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1");
        }
        return new AttemptWriter(this, requestId, attempt, retryFor, refreshTtl);
    }

    /**
     * Ends the request on behalf of the system (a cancel, a dead letter, an unqueueable job),
     * whatever attempt is running: the running attempt's next append then answers {@link
     * AttemptOutcome.Ended}, and the request id goes out on {@link RedisKeys#CANCEL_CHANNEL} so the
     * worker running it stops at once.
     */
    public AttemptOutcome end(String requestId, StreamEvent terminal) {
        if (!terminal.isTerminal()) {
            throw new IllegalArgumentException(terminal.type() + " is not terminal");
        }
        return emit(requestId, List.of(terminal), "", 0, 0, false, RedisKeys.CANCEL_CHANNEL);
    }

    /**
     * Appends a batch of events in one script call; only the last may be terminal.
     *
     * @param refreshTtl set both keys' TTL to the retention again
     * @param endChannel where the request id is published when the batch ends the request ('' none)
     */
    AttemptOutcome emit(
            String requestId,
            List<StreamEvent> events,
            String answer,
            int attempt,
            int seq,
            boolean refreshTtl,
            String endChannel) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an empty batch");
        }
        for (int i = 0; i < events.size() - 1; i++) {
            if (events.get(i).isTerminal()) {
                throw new IllegalArgumentException("only a batch's last event may be terminal");
            }
        }
        StreamEvent last = events.get(events.size() - 1);
        String[] args = new String[FIRST_EVENT_ARG + 2 * events.size()];
        args[0] = requestId;
        args[1] = String.valueOf(retention.toSeconds());
        args[2] = String.valueOf(statusRetention.toSeconds());
        args[3] = String.valueOf(clock.millis());
        args[4] = String.valueOf(attempt);
        args[5] = String.valueOf(seq);
        args[6] = refreshTtl ? "1" : "0";
        args[7] = answer;
        args[8] = last.isTerminal() ? "1" : "0";
        args[9] = endChannel;
        args[10] = String.valueOf(ttlSlack.toSeconds());
        int i = FIRST_EVENT_ARG;
        for (StreamEvent event : events) {
            args[i++] = event.type();
            args[i++] = WireCodec.encodeData(event);
        }
        String reply = EMIT.run(redis(), keys(requestId), args);
        if (reply == null) {
            throw new IllegalStateException("emit script returned nothing");
        }
        return AttemptOutcome.fromReply(reply);
    }

    /**
     * Counts a client attaching to the request's stream (a first stream or a resume); its
     * instance's relay channel joins the request's relays.
     *
     * @param relayChannel the attaching instance's relay channel; empty for none
     * @return how many attached so far, this one included; 0 when the request is gone
     */
    public long attach(String requestId, String relayChannel) {
        String count = ATTACH.run(
                redis(),
                new String[] {RedisKeys.request(requestId)},
                RedisKeys.ATTACHES_FIELD,
                relayChannel,
                String.valueOf(RedisKeys.MAX_RELAYS));
        return count == null ? 0 : Long.parseLong(count);
    }

    /** Counts a client attaching, with no relay channel. */
    public long attach(String requestId) {
        return attach(requestId, "");
    }

    /**
     * Adds an instance's relay channel to the request's relays without counting an attachment (a
     * JSON wait, a cursor that was not attached otherwise).
     *
     * @return false when the request is gone (or not yet opened)
     */
    public boolean follow(String requestId, String relayChannel) {
        String reply = ATTACH.run(
                redis(),
                new String[] {RedisKeys.request(requestId)},
                "",
                relayChannel,
                String.valueOf(RedisKeys.MAX_RELAYS));
        return reply != null && !"0".equals(reply);
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

    private RedisClusterCommands<String, String> redis() {
        return redis;
    }

    private static String[] keys(String requestId) {
        return new String[] {RedisKeys.request(requestId), RedisKeys.events(requestId)};
    }
}
