package dev.agentic.ingress.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.redis.AttemptWriter;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cursors of two ingress instances (two {@link Subscriptions}, each on its own relay channel)
 * following requests through one real Redis.
 */
class EventCursorTest {
    /** Long enough that an event delivered sooner came live, not from the idle read of the log. */
    private static final Duration LONG_WAIT = Duration.ofSeconds(30);

    private static RedisServer server;
    private static RedisClient client;
    private static RedisConnector connector;
    private static StatefulRedisConnection<String, String> connection;
    private static EventLog log;
    private static Subscriptions instanceA;
    private static Subscriptions instanceB;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        client = new RedisSettings(server.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2)).createClient();
        connection = client.connect();
        log = new EventLog(connection, Duration.ofHours(1), Duration.ofHours(2), Clock.systemUTC());
        connector = new RedisConnector(new RedisSettings(server.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2)));
        instanceA = new Subscriptions(connector, "instance-a");
        instanceB = new Subscriptions(connector);
    }

    @AfterAll
    static void stop() {
        instanceA.close();
        instanceB.close();
        connection.close();
        client.shutdown();
        connector.close();
        server.close();
    }

    private static Job job() {
        long now = System.currentTimeMillis();
        return new Job(1, RequestId.newId(), "acme", "math", "q", null, Lane.INTERACTIVE, now, now + 60_000, null);
    }

    private static EventCursor cursor(Job job, Subscriptions instance, EventId after) {
        return new EventCursor(job.id(), log, instance, after, job.deadlineMs() + 10_000, Clock.systemUTC());
    }

    /** Opens the job's request through the cursor's instance, as the intake does. */
    private static EventCursor openThrough(Job job, Subscriptions instance) {
        EventCursor cursor = cursor(job, instance, EventId.ZERO);
        LoggedEvent queued = log.open(job, cursor.relayChannel());
        assertThat(queued).isNotNull();
        cursor.opened(queued);
        return cursor;
    }

    private static long xrangeCalls() {
        String stats = connection.sync().info("commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_xrange:")) {
                return Long.parseLong(line.replaceAll("^cmdstat_xrange:calls=(\\d+),.*$", "$1"));
            }
        }
        return 0;
    }

    /** The next events within {@code within}, which must be far below {@link #LONG_WAIT}. */
    private static List<LoggedEvent> nextLive(EventCursor cursor, Duration within) throws Exception {
        long started = System.nanoTime();
        List<LoggedEvent> events = cursor.next(LONG_WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(within);
        return events;
    }

    private static List<String> types(List<LoggedEvent> events) {
        return events.stream().map(LoggedEvent::type).toList();
    }

    @Test
    void anOpenedCursorDeliversQueuedWithoutReadingTheLogAndBatchesLive() throws Exception {
        Job job = job();
        try (EventCursor cursor = openThrough(job, instanceA)) {
            long before = xrangeCalls();
            assertThat(types(cursor.next(LONG_WAIT))).containsExactly("queued");
            AttemptWriter writer = log.attempt(job.id(), 1, Duration.ZERO);
            writer.append(List.of(new StreamEvent.Start("w", 1), new StreamEvent.Token("4")));
            assertThat(types(nextLive(cursor, Duration.ofSeconds(5)))).containsExactly("start", "token");
            writer.finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
            assertThat(types(nextLive(cursor, Duration.ofSeconds(5)))).containsExactly("done");
            assertThat(cursor.isFinished()).isTrue();
            assertThat(xrangeCalls()).isEqualTo(before);
        }
    }

    @Test
    void aResumeOnAnotherInstanceGetsLiveEventsThere() throws Exception {
        Job job = job();
        AttemptWriter writer = log.attempt(job.id(), 1, Duration.ZERO);
        try (EventCursor first = openThrough(job, instanceA)) {
            first.next(LONG_WAIT);
            writer.append(new StreamEvent.Start("w", 1));
            List<LoggedEvent> seen = nextLive(first, Duration.ofSeconds(5));
            EventId lastSeen = seen.getLast().id();

            try (EventCursor resumed = cursor(job, instanceB, lastSeen)) {
                assertThat(resumed.next(Duration.ofMillis(100))).isEmpty(); // nothing after it yet
                assertThat(log.status(job.id()).get(RedisKeys.RELAYS_FIELD).split(" "))
                        .containsExactly(RedisKeys.relayChannel("instance-a"), instanceB.channel());
                CompletableFuture.runAsync(
                        () -> writer.append(new StreamEvent.Token("live")),
                        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
                List<LoggedEvent> live = nextLive(resumed, Duration.ofSeconds(5));
                assertThat(live).extracting(LoggedEvent::data).containsExactly("{\"text\":\"live\"}");
                assertThat(live.getFirst().previous()).isEqualTo(lastSeen);
                // The first instance got the same batch.
                assertThat(nextLive(first, Duration.ofSeconds(5))).isEqualTo(live);
            }
        }
    }

    @Test
    void fillsAGapFromTheLogAndDeliversOnlyTheRequestsOwnEvents() throws Exception {
        Job job = job();
        Job neighbour = job();
        try (EventCursor cursor = openThrough(job, instanceA);
                EventCursor other = openThrough(neighbour, instanceA)) {
            cursor.next(LONG_WAIT);
            other.next(LONG_WAIT);
            AttemptWriter writer = log.attempt(job.id(), 1, Duration.ZERO);
            log.attempt(neighbour.id(), 1, Duration.ZERO).append(new StreamEvent.Token("not yours"));
            // An entry whose live message never came (pub/sub is at-most-once): in the log only.
            String missed = connection
                    .sync()
                    .xadd(RedisKeys.events(job.id()), Map.of("type", "token", "data", "{\"text\":\"lost\"}"));
            connection.sync().hset(RedisKeys.request(job.id()), RedisKeys.LAST_EVENT_FIELD, missed);
            writer.append(new StreamEvent.Token(" found"));
            List<LoggedEvent> events = nextLive(cursor, Duration.ofSeconds(5));
            assertThat(events)
                    .extracting(LoggedEvent::data)
                    .containsExactly("{\"text\":\"lost\"}", "{\"text\":\" found\"}");
            assertThat(nextLive(other, Duration.ofSeconds(5)))
                    .extracting(LoggedEvent::data)
                    .containsExactly("{\"text\":\"not yours\"}");
        }
        assertThat(instanceA.active()).isZero();
    }

    @Test
    void aCursorOfARequestNotYetOpenedJoinsItsRelaysOnceItExists() throws Exception {
        Job job = job();
        try (EventCursor waiting = cursor(job, instanceB, EventId.ZERO)) {
            assertThat(waiting.next(Duration.ofMillis(50))).isEmpty(); // not opened yet: cannot follow
            log.open(job, RedisKeys.relayChannel("elsewhere"));
            // It reads the log at short intervals meanwhile, and joins the relays on the way.
            assertThat(types(nextLive(waiting, Duration.ofSeconds(2)))).containsExactly("queued");
            assertThat(log.status(job.id()).get(RedisKeys.RELAYS_FIELD)).contains(instanceB.channel());
            log.attempt(job.id(), 1, Duration.ZERO).append(new StreamEvent.Start("w", 1));
            assertThat(types(nextLive(waiting, Duration.ofSeconds(5)))).containsExactly("start");
        }
    }
}
