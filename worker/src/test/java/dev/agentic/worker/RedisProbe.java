package dev.agentic.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.EventId;
import dev.agentic.model.EventType;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tests' side of Redis: submits jobs the way the ingress does and reads what the worker wrote.
 * A plain client of a real redis-server; nothing here is a mock.
 */
public final class RedisProbe implements AutoCloseable {
    public static final Duration TERMINAL_TIMEOUT = Duration.ofSeconds(15);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final EventLog events;
    private final List<String> submitted = new ArrayList<>();

    public RedisProbe(String uri) {
        client = new RedisSettings(uri, Duration.ofSeconds(2), Duration.ofSeconds(2)).createClient();
        connection = client.connect();
        events = new EventLog(connection, Duration.ofHours(1), Duration.ofHours(2), Clock.systemUTC());
    }

    public RedisCommands<String, String> redis() {
        return connection.sync();
    }

    public static Job job(String agent, String query) {
        return job(agent, query, Lane.INTERACTIVE);
    }

    public static Job job(String agent, String query, Lane lane) {
        long now = System.currentTimeMillis();
        return new Job(1, RequestId.newId(), "t", agent, query, null, lane, now, now + 60_000, null);
    }

    /** Opens the request and enqueues it, in the ingress's order. */
    public Job submit(Job job) {
        open(job);
        JobQueue.enqueue(redis(), job);
        return job;
    }

    public Job submit(String agent, String query) {
        return submit(job(agent, query));
    }

    /** Only the ingress's first half: the request exists, the queue entry is up to the test. */
    public void open(Job job) {
        assertThat(events.open(job)).as("request opened").isTrue();
        submitted.add(job.id());
    }

    /** Waits for the request's terminal event; returns its whole log. */
    public List<LoggedEvent> awaitTerminal(Job job) {
        return await("terminal event of " + job.id())
                .atMost(TERMINAL_TIMEOUT)
                .until(() -> log(job.id()), log -> log.stream().anyMatch(LoggedEvent::isTerminal));
    }

    public List<LoggedEvent> log(String requestId) {
        return events.readAfter(requestId, EventId.ZERO, 10_000);
    }

    /** Empties Redis and forgets the requests submitted so far. */
    public void flushAll() {
        redis().flushall();
        submitted.clear();
    }

    /** Writes an event as attempt {@code attempt} of the job would (e.g. a worker that then dies). */
    public void writeAs(Job job, int attempt, StreamEvent event) {
        assertThat(events.attempt(job.id(), attempt, java.time.Duration.ZERO)
                        .append(event)
                        .isInLog())
                .isTrue();
    }

    /** Writes events in order as one attempt of the job would, with one writer (sequence 1, 2, ...). */
    public void writeAllAs(Job job, int attempt, StreamEvent... written) {
        dev.agentic.redis.AttemptWriter writer = events.attempt(job.id(), attempt, java.time.Duration.ZERO);
        for (StreamEvent event : written) {
            assertThat(writer.append(event).isInLog()).isTrue();
        }
    }

    /** Ends the request the way another party would (the ingress, another attempt). */
    public void finish(Job job, StreamEvent terminal) {
        assertThat(events.end(job.id(), terminal).isInLog()).isTrue();
    }

    public Map<String, String> status(Job job) {
        return events.status(job.id());
    }

    public static StreamEvent terminal(List<LoggedEvent> log) {
        LoggedEvent last = log.getLast();
        assertThat(last.isTerminal()).as("last event is terminal: %s", log).isTrue();
        return decode(last);
    }

    public static StreamEvent.Error error(List<LoggedEvent> log) {
        assertThat(terminal(log)).isInstanceOf(StreamEvent.Error.class);
        return (StreamEvent.Error) terminal(log);
    }

    public static List<String> tokens(List<LoggedEvent> log) {
        return log.stream()
                .filter(e -> e.type().equals("token"))
                .map(e -> ((StreamEvent.Token) decode(e)).text())
                .toList();
    }

    public static Optional<LoggedEvent> first(List<LoggedEvent> log, String type) {
        return log.stream().filter(e -> e.type().equals(type)).findFirst();
    }

    public static StreamEvent decode(LoggedEvent event) {
        EventType type = EventType.fromWire(event.type()).orElseThrow();
        return WireCodec.decodeEvent(type, event.data());
    }

    public long pending(Lane lane) {
        return redis().xpending(RedisKeys.queue(lane), RedisKeys.WORKER_GROUP).getCount();
    }

    /** The lane's consumer group as XINFO GROUPS shows it; empty when it does not exist. */
    public Optional<Map<String, Object>> group(Lane lane) {
        if (redis().exists(RedisKeys.queue(lane)) == 0) {
            return Optional.empty();
        }
        for (Object group : redis().xinfoGroups(RedisKeys.queue(lane))) {
            Map<String, Object> fields = pairs((List<?>) group);
            if (RedisKeys.WORKER_GROUP.equals(fields.get("name"))) {
                return Optional.of(fields);
            }
        }
        return Optional.empty();
    }

    /** Every entry of the lane delivered and acknowledged. */
    public boolean drained(Lane lane) {
        return group(lane)
                .map(g -> Long.valueOf(0).equals(g.get("pending"))
                        && Long.valueOf(0).equals(g.get("lag")))
                .orElse(true);
    }

    public void awaitDrained() {
        await("queues drained").atMost(TERMINAL_TIMEOUT).until(() -> drained(Lane.INTERACTIVE) && drained(Lane.BATCH));
    }

    /** Every request submitted through this probe has exactly one terminal event, and it is the last. */
    public void assertEveryRequestEndedOnce() {
        for (String id : submitted) {
            List<LoggedEvent> log = log(id);
            assertThat(log.stream().filter(LoggedEvent::isTerminal))
                    .as("terminal events of %s in %s", id, log)
                    .hasSize(1);
            assertThat(log.getLast().isTerminal()).isTrue();
        }
    }

    private static Map<String, Object> pairs(List<?> flat) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put(String.valueOf(flat.get(i)), flat.get(i + 1));
        }
        return map;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
