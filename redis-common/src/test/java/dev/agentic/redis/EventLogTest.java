package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LiveBatch;
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

    /** Subscribes to the channels and collects what is published on them. */
    private static BlockingQueue<String[]> listen(
            StatefulRedisPubSubConnection<String, String> sub, String... channels) {
        BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                received.add(new String[] {channel, message});
            }
        });
        sub.sync().subscribe(channels);
        return received;
    }

    @Test
    void publishesEachBatchOnceToEveryRelayOfTheRequestWithPreviousIds() throws InterruptedException {
        Job job = newJob();
        String relayA = RedisKeys.relayChannel("a");
        String relayB = RedisKeys.relayChannel("b");
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub()) {
            BlockingQueue<String[]> received = listen(sub, relayA, relayB, RedisKeys.CANCEL_CHANNEL);
            LoggedEvent queued = log.open(job, relayA);
            assertThat(queued).isNotNull();
            assertThat(log.attach(job.id(), relayB)).isEqualTo(1);
            AttemptWriter writer = log.attempt(job.id(), 1, Duration.ZERO);
            EventId last = idOf(writer.append(List.of(new StreamEvent.Start("w", 1), new StreamEvent.Token("hi"))));

            List<String[]> messages = List.of(received.poll(5, TimeUnit.SECONDS), received.poll(5, TimeUnit.SECONDS));
            assertThat(messages).extracting(m -> m[0]).containsExactlyInAnyOrder(relayA, relayB);
            assertThat(messages.get(0)[1]).isEqualTo(messages.get(1)[1]);
            LiveBatch batch = WireCodec.decodeLiveBatch(messages.get(0)[1]);
            assertThat(batch.requestId()).isEqualTo(job.id());
            assertThat(batch.events()).extracting(LoggedEvent::type).containsExactly("start", "token");
            assertThat(batch.events().get(0).previous()).isEqualTo(queued.id());
            assertThat(batch.events().get(1).previous())
                    .isEqualTo(batch.events().get(0).id());
            assertThat(batch.events().get(1).id()).isEqualTo(last);
            assertThat(batch.events()).isEqualTo(log.readAfter(job.id(), queued.id(), 10));
            // A worker's own terminal is no cancel: nothing on the cancel channel.
            writer.finish(new StreamEvent.Done(Usage.NONE, "stop"), "hi");
            assertThat(WireCodec.decodeLiveBatch(received.poll(5, TimeUnit.SECONDS)[1])
                            .events())
                    .extracting(LoggedEvent::type)
                    .containsExactly("done");
            received.poll(5, TimeUnit.SECONDS); // the other relay's copy
            assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void aSystemEndGoesOutOnTheCancelChannelOnce() throws InterruptedException {
        Job job = newJob();
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub()) {
            BlockingQueue<String[]> received = listen(sub, RedisKeys.CANCEL_CHANNEL);
            log.open(job);
            log.end(job.id(), new StreamEvent.Error("cancelled", "by the client", false));
            assertThat(received.poll(5, TimeUnit.SECONDS)).containsExactly(RedisKeys.CANCEL_CHANNEL, job.id());
            assertThat(log.end(job.id(), new StreamEvent.Error("cancelled", "again", false)))
                    .isEqualTo(AttemptOutcome.ENDED);
            assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void relaysAreListedOnceAndAtMostEight() {
        Job job = newJob();
        assertThat(log.open(job, RedisKeys.relayChannel("i0"))).isNotNull();
        assertThat(log.open(job, RedisKeys.relayChannel("i1"))).isNull(); // exists: only joins the relays
        assertThat(log.attach(job.id(), RedisKeys.relayChannel("i1"))).isEqualTo(1);
        assertThat(log.follow(job.id(), RedisKeys.relayChannel("i0"))).isTrue();
        for (int i = 2; i < 12; i++) {
            assertThat(log.follow(job.id(), RedisKeys.relayChannel("i" + i))).isTrue();
        }
        assertThat(log.status(job.id()).get(RedisKeys.RELAYS_FIELD).split(" "))
                .containsExactly(java.util.stream.IntStream.range(0, RedisKeys.MAX_RELAYS)
                        .mapToObj(i -> RedisKeys.relayChannel("i" + i))
                        .toArray(String[]::new));
        assertThat(log.status(job.id())).containsEntry(RedisKeys.ATTACHES_FIELD, "1");
        assertThat(log.follow(RequestId.newId(), RedisKeys.relayChannel("i0"))).isFalse();
        assertThat(log.attach(RequestId.newId(), RedisKeys.relayChannel("i0"))).isZero();
    }

    @Test
    void aBatchIsWrittenInOrderWithOneSequenceNumberAndOnlyItsLastEventMayBeTerminal() {
        Job job = newJob();
        log.open(job);
        AttemptWriter writer = log.attempt(job.id(), 1, Duration.ZERO);
        writer.append(List.of(new StreamEvent.Start("w", 1), new StreamEvent.Token("a"), new StreamEvent.Token("b")));
        assertThat(log.status(job.id())).containsEntry("seq", "1").containsEntry("status", "running");
        writer.finish(List.of(new StreamEvent.Token("c")), new StreamEvent.Done(Usage.NONE, "stop"), "abc");
        assertThat(log.readAfter(job.id(), EventId.ZERO, 10))
                .extracting(LoggedEvent::type)
                .containsExactly("queued", "start", "token", "token", "token", "done");
        assertThat(log.status(job.id()))
                .containsEntry("seq", "2")
                .containsEntry("status", "done")
                .containsEntry("answer", "abc");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.emit(
                        job.id(),
                        List.of(new StreamEvent.Done(Usage.NONE, "stop"), new StreamEvent.Token("x")),
                        "",
                        1,
                        3,
                        false,
                        ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAttemptRefreshesTheTtlOnlyWhenItsDeadlineCouldOutliveIt() {
        Job job = newJob(); // deadline one minute after creation, retention five
        log.open(job);
        connection.sync().expire(RedisKeys.request(job.id()), 100);
        connection.sync().expire(RedisKeys.events(job.id()), 100);
        log.attempt(job, 1, Duration.ZERO).append(new StreamEvent.Token("a"));
        assertThat(connection.sync().ttl(RedisKeys.request(job.id()))).isBetween(1L, 100L);
        assertThat(connection.sync().ttl(RedisKeys.events(job.id()))).isBetween(1L, 100L);

        log.attempt(job.id(), 2, Duration.ZERO).append(new StreamEvent.Token("b"));
        assertThat(connection.sync().ttl(RedisKeys.request(job.id()))).isGreaterThan(250L);
        assertThat(connection.sync().ttl(RedisKeys.events(job.id()))).isGreaterThan(250L);

        long now = System.currentTimeMillis();
        Job longJob =
                new Job(1, RequestId.newId(), "acme", "math", "1+1", null, Lane.INTERACTIVE, now, now + 600_000, null);
        log.open(longJob);
        connection.sync().expire(RedisKeys.request(longJob.id()), 100);
        log.attempt(longJob, 1, Duration.ZERO).append(new StreamEvent.Token("a"));
        assertThat(connection.sync().ttl(RedisKeys.request(longJob.id()))).isGreaterThan(250L);
    }

    @Test
    void aRetriedBatchOfTheSameAttemptIsWrittenOnce() {
        Job job = newJob();
        log.open(job);
        List<StreamEvent> batch = List.of(new StreamEvent.Token("a"), new StreamEvent.Token("b"));
        assertThat(log.emit(job.id(), batch, "", 1, 1, false, "")).isInstanceOf(AttemptOutcome.Written.class);
        assertThat(log.emit(job.id(), batch, "", 1, 1, false, "")).isEqualTo(AttemptOutcome.DUPLICATE);
        assertThat(log.readAfter(job.id(), EventId.ZERO, 10))
                .extracting(LoggedEvent::type)
                .containsExactly("queued", "token", "token");
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
        Job job = newJob(); // retention 5 minutes, status retention 30
        log.open(job);
        log.end(job.id(), new StreamEvent.Error("cancelled", "x", false));
        // Ended within the slack (a tenth of the retention here) of its opening: the TTLs set then stand.
        assertThat(connection.sync().ttl(RedisKeys.events(job.id()))).isBetween(300L, 330L);
        assertThat(connection.sync().ttl(RedisKeys.request(job.id()))).isBetween(1800L, 1830L);
        assertThat(log.hasLog(job.id())).isTrue();
        connection.sync().del(RedisKeys.events(job.id()));
        assertThat(log.hasLog(job.id())).isFalse();
    }

    @Test
    void aRequestEndingPastTheSlackSetsItsTtlsAgain() {
        Job job = newJob();
        log.open(job);
        // Its keys would expire in 100 s: less than the retention (5 min) and status retention (30).
        long soon = System.currentTimeMillis() + 100_000;
        connection.sync().hset(RedisKeys.request(job.id()), "expires_ms", String.valueOf(soon));
        connection.sync().hset(RedisKeys.request(job.id()), "log_expires_ms", String.valueOf(soon));
        connection.sync().expire(RedisKeys.request(job.id()), 100);
        connection.sync().expire(RedisKeys.events(job.id()), 100);

        log.end(job.id(), new StreamEvent.Error("cancelled", "x", false));

        assertThat(connection.sync().ttl(RedisKeys.events(job.id()))).isBetween(250L, 300L);
        assertThat(connection.sync().ttl(RedisKeys.request(job.id()))).isBetween(1750L, 1800L);
    }

    @Test
    void aShortRetentionGetsAShortSlack() {
        EventLog shortLived =
                new EventLog(connection, Duration.ofSeconds(3), Duration.ofSeconds(10), Clock.systemUTC());
        Job job = newJob();
        shortLived.open(job);
        assertThat(connection.sync().ttl(RedisKeys.events(job.id()))).isBetween(1L, 3L);
        assertThat(connection.sync().ttl(RedisKeys.request(job.id()))).isBetween(1L, 10L);
    }

    @Test
    void aRequestEndingWithinTheSlackSendsNoExpire() {
        Job job = newJob();
        log.open(job);
        long before = expireCalls();
        log.attempt(job, 1, Duration.ZERO).finish(new StreamEvent.Done(Usage.NONE, "stop"), "");
        assertThat(expireCalls()).isEqualTo(before);
    }

    private long expireCalls() {
        java.util.regex.Matcher calls = java.util.regex.Pattern.compile("cmdstat_expire:calls=(\\d+)")
                .matcher(connection.sync().info("commandstats"));
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }

    @Test
    void logAndHashExpireAfterTheRetentionPlusTheSlack() {
        Job job = newJob();
        log.open(job);
        assertThat(connection.sync().ttl(RedisKeys.events(job.id()))).isBetween(300L, 330L);
        assertThat(connection.sync().ttl(RedisKeys.request(job.id()))).isBetween(1800L, 1830L);
    }
}
