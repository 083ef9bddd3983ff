package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.model.WireCodec;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EventLogTest {
    private static RedisServer server;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static EventLog log;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start();
        client = new RedisSettings(server.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2)).createClient();
        connection = client.connect();
        log = new EventLog(connection, Duration.ofMinutes(5), Duration.ofMinutes(30), Clock.systemUTC());
    }

    @AfterAll
    static void stopRedis() {
        connection.close();
        client.shutdown();
        server.close();
    }

    private static Job newJob() {
        long now = System.currentTimeMillis();
        return new Job(1, RequestId.newId(), "acme", "math", "1+1", null, Lane.INTERACTIVE, now, now + 60_000, null);
    }

    private static EventId idOf(AttemptOutcome outcome) {
        assertThat(outcome).isInstanceOf(AttemptOutcome.Written.class);
        return ((AttemptOutcome.Written) outcome).id();
    }

    @Test
    void numbersEveryBegunAttemptOnceAndSupersedesTheEarlierOnes() {
        Job job = newJob();
        log.open(job);

        EventLog.Attempt first = log.beginAttempt(job, 1);
        AttemptWriter firstWriter = log.attempt(job.id(), first.number(), Duration.ZERO);
        assertThat(firstWriter.append(new StreamEvent.Start("w1", 1))).isInstanceOf(AttemptOutcome.Written.class);
        // The same entry adopted again by the same worker: its delivery count did not grow.
        EventLog.Attempt second = log.beginAttempt(job, 1);

        assertThat(first.number()).isEqualTo(1);
        assertThat(first.followsAWrittenAttempt()).isFalse();
        assertThat(second.number()).isEqualTo(2);
        assertThat(second.followsAWrittenAttempt()).isTrue();
        assertThat(firstWriter.append(new StreamEvent.Token("late"))).isEqualTo(AttemptOutcome.SUPERSEDED);
        assertThat(log.beginAttempt(job, 7).number())
                .as("a delivery count above the attempts")
                .isEqualTo(7);
    }

    @Test
    void beginningAnAttemptWritesAMissingRequest() {
        Job job = newJob();

        EventLog.Attempt attempt = log.beginAttempt(job, 1);

        assertThat(attempt.number()).isEqualTo(1);
        assertThat(attempt.status()).isEqualTo("queued");
        assertThat(log.status(job.id())).containsEntry("tenant", "acme").containsEntry("attempts", "1");
        assertThat(log.readAfter(job.id(), EventId.ZERO, 10))
                .extracting(LoggedEvent::type)
                .containsExactly("queued");
    }

    @Test
    void openWritesQueuedEventOnceAndRefusesADuplicateId() {
        Job job = newJob();
        assertThat(log.open(job)).isTrue();
        assertThat(log.open(job)).isFalse();
        List<LoggedEvent> events = log.readAfter(job.id(), EventId.ZERO, 10);
        assertThat(events).extracting(LoggedEvent::type).containsExactly("queued");
        assertThat(log.status(job.id())).containsEntry("status", "queued").containsEntry("tenant", "acme");
    }

    @Test
    void appendsInOrderAndReadsStrictlyAfterAnId() {
        Job job = newJob();
        log.open(job);
        AttemptWriter writer = log.attempt(job.id(), 1, Duration.ZERO);
        EventId first = idOf(writer.append(new StreamEvent.Token("a")));
        EventId second = idOf(writer.append(new StreamEvent.Token("b")));
        assertThat(second).isGreaterThan(first);
        List<LoggedEvent> afterFirst = log.readAfter(job.id(), first, 10);
        assertThat(afterFirst).singleElement().satisfies(e -> {
            assertThat(e.id()).isEqualTo(second);
            assertThat(e.previous()).isEqualTo(first);
            assertThat(e.data()).isEqualTo("{\"text\":\"b\"}");
        });
    }

    @Test
    void onlyTheFirstTerminalEventIsWritten() {
        Job job = newJob();
        log.open(job);
        AttemptWriter first = log.attempt(job.id(), 1, Duration.ZERO);
        assertThat(first.finish(new StreamEvent.Done(Usage.NONE, "stop"), "4"))
                .isInstanceOf(AttemptOutcome.Written.class);
        AttemptWriter second = log.attempt(job.id(), 2, Duration.ZERO);
        assertThat(second.finish(new StreamEvent.Error("late", "second attempt", false), ""))
                .isEqualTo(AttemptOutcome.ENDED);
        assertThat(log.end(job.id(), new StreamEvent.Error("cancelled", "too late", false)))
                .isEqualTo(AttemptOutcome.ENDED);
        assertThat(second.append(new StreamEvent.Token("late"))).isEqualTo(AttemptOutcome.ENDED);
        assertThat(log.readAfter(job.id(), EventId.ZERO, 10))
                .extracting(LoggedEvent::type)
                .containsExactly("queued", "done");
        assertThat(log.status(job.id())).containsEntry("status", "done").containsEntry("answer", "4");
    }

    @Test
    void eventsOfAnUnknownRequestAreNotWritten() {
        assertThat(log.attempt(RequestId.newId(), 1, Duration.ZERO).append(new StreamEvent.Token("x")))
                .isEqualTo(AttemptOutcome.ENDED);
    }

    @Test
    void publishesEachEventWithThePreviousEntryId() throws InterruptedException {
        Job job = newJob();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub()) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    received.add(message);
                }
            });
            sub.sync().subscribe(RedisKeys.eventsChannel(job.id()));
            log.open(job);
            EventId token = idOf(log.attempt(job.id(), 1, Duration.ZERO).append(new StreamEvent.Token("hi")));

            LoggedEvent queued = WireCodec.decodeLiveMessage(received.poll(5, TimeUnit.SECONDS));
            LoggedEvent live = WireCodec.decodeLiveMessage(received.poll(5, TimeUnit.SECONDS));
            assertThat(queued.previous()).isEqualTo(EventId.ZERO);
            assertThat(live.id()).isEqualTo(token);
            assertThat(live.previous()).isEqualTo(queued.id());
            assertThat(live.type()).isEqualTo("token");
        }
    }

    @Test
    void aRetriedEventOfTheSameAttemptIsWrittenOnce() {
        Job job = newJob();
        log.open(job);
        assertThat(log.emit(job.id(), new StreamEvent.Token("a"), "", 1, 1)).isInstanceOf(AttemptOutcome.Written.class);
        assertThat(log.emit(job.id(), new StreamEvent.Token("a"), "", 1, 1)).isEqualTo(AttemptOutcome.DUPLICATE);
        assertThat(log.readAfter(job.id(), EventId.ZERO, 10))
                .extracting(LoggedEvent::type)
                .containsExactly("queued", "token");
    }

    @Test
    void anAttemptThatWasSupersededIsRefused() {
        Job job = newJob();
        log.open(job);
        AttemptWriter lost = log.attempt(job.id(), 1, Duration.ZERO);
        lost.append(new StreamEvent.Token("old "));
        AttemptWriter reclaimed = log.attempt(job.id(), 2, Duration.ZERO);
        reclaimed.append(new StreamEvent.Restart(2, "worker lost"));

        assertThat(lost.append(new StreamEvent.Token("zombie"))).isEqualTo(AttemptOutcome.SUPERSEDED);
        assertThat(lost.finish(new StreamEvent.Done(Usage.NONE, "stop"), "old")).isEqualTo(AttemptOutcome.SUPERSEDED);
        assertThat(reclaimed.finish(new StreamEvent.Done(Usage.NONE, "stop"), "new"))
                .isInstanceOf(AttemptOutcome.Written.class);
        assertThat(log.status(job.id())).containsEntry("answer", "new");
    }

    @Test
    void theSystemEndsARequestWhateverAttemptRuns() {
        Job job = newJob();
        log.open(job);
        AttemptWriter running = log.attempt(job.id(), 3, Duration.ZERO);
        running.append(new StreamEvent.Token("partial"));
        assertThat(log.end(job.id(), new StreamEvent.Error("cancelled", "Cancelled by the client", false)))
                .isInstanceOf(AttemptOutcome.Written.class);
        assertThat(running.append(new StreamEvent.Token("more"))).isEqualTo(AttemptOutcome.ENDED);
        assertThat(log.status(job.id())).containsEntry("status", "error");
    }

    @Test
    void theStatusOutlivesTheLogAfterTheEnd() {
        Job job = newJob();
        log.open(job);
        log.end(job.id(), new StreamEvent.Error("cancelled", "x", false));
        assertThat(connection.sync().ttl(RedisKeys.events(job.id()))).isBetween(1L, 300L);
        assertThat(connection.sync().ttl(RedisKeys.request(job.id()))).isBetween(301L, 1800L);
        assertThat(log.hasLog(job.id())).isTrue();
        connection.sync().del(RedisKeys.events(job.id()));
        assertThat(log.hasLog(job.id())).isFalse();
    }

    @Test
    void logAndHashExpireAfterTheRetention() {
        Job job = newJob();
        log.open(job);
        long ttl = connection.sync().ttl(RedisKeys.events(job.id()));
        assertThat(ttl).isBetween(1L, 300L);
        assertThat(connection.sync().ttl(RedisKeys.request(job.id()))).isBetween(1L, 300L);
    }
}
