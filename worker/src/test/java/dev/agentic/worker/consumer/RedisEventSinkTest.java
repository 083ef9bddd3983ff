package dev.agentic.worker.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.AttemptOutcome;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.worker.agent.AgentException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batching and coalescing of an attempt's events, against a real Redis. */
class RedisEventSinkTest {
    private static RedisServer server;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static EventLog log;
    private static ScheduledExecutorService timer;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        client = new RedisSettings(server.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2)).createClient();
        connection = client.connect();
        log = new EventLog(connection, Duration.ofHours(1), Duration.ofHours(2), Clock.systemUTC());
        timer = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stop() {
        timer.shutdownNow();
        connection.close();
        client.shutdown();
        server.close();
    }

    private static Job openJob() {
        long now = System.currentTimeMillis();
        Job job =
                new Job(1, RequestId.newId(), "acme", "general", "q", null, Lane.INTERACTIVE, now, now + 60_000, null);
        log.open(job);
        return job;
    }

    private static RedisEventSink sink(Job job, Duration window) {
        return new RedisEventSink(log.attempt(job, 1, Duration.ZERO), false, OutputLimits.DEFAULT, window, timer, true);
    }

    private static List<LoggedEvent> logOf(Job job) {
        return log.readAfter(job.id(), EventId.ZERO, 1000);
    }

    private static List<String> types(Job job) {
        return logOf(job).stream().map(LoggedEvent::type).toList();
    }

    /** How many batches (emit calls) the attempt wrote. */
    private static int batches(Job job) {
        String seq = log.status(job.id()).get("seq");
        return seq == null ? 0 : Integer.parseInt(seq);
    }

    private static List<String> tokenTexts(Job job) {
        return logOf(job).stream()
                .filter(e -> e.type().equals("token"))
                .map(e ->
                        ((StreamEvent.Token) WireCodec.decodeEvent(dev.agentic.model.EventType.TOKEN, e.data())).text())
                .toList();
    }

    @Test
    void writesTheFirstTokenAtOnceWithWhatWaitsBeforeItAndCoalescesLaterTokens() {
        Job job = openJob();
        RedisEventSink sink = sink(job, Duration.ofMillis(300));
        sink.append(new StreamEvent.Start("w", 1));
        sink.toolStart("calculator", "1+1");
        assertThat(types(job)).containsExactly("queued"); // waiting for the window

        sink.token("Hello");
        // Written before token() returned: no waiting for the window.
        assertThat(types(job)).containsExactly("queued", "start", "tool_start", "token");
        assertThat(batches(job)).isEqualTo(1);

        sink.token(", ");
        sink.token("world");
        sink.token("!");
        assertThat(types(job)).hasSize(4);
        await().atMost(Duration.ofSeconds(5)).until(() -> types(job).size() == 5);
        assertThat(tokenTexts(job)).containsExactly("Hello", ", world!");
        assertThat(batches(job)).isEqualTo(2);
        assertThat(log.status(job.id())).containsEntry("status", "running");
    }

    @Test
    void theTerminalEventFlushesEverythingBeforeItInOneCall() {
        Job job = openJob();
        RedisEventSink sink = sink(job, Duration.ofSeconds(30));
        sink.append(new StreamEvent.Start("w", 1));
        sink.token("a");
        sink.token("b");
        sink.toolEnd("t", "out");
        sink.token("c");
        sink.token("d");
        AttemptOutcome outcome = sink.finish(new StreamEvent.Done(Usage.NONE, "stop"));
        assertThat(outcome).isInstanceOf(AttemptOutcome.Written.class);
        assertThat(types(job)).containsExactly("queued", "start", "token", "token", "tool_end", "token", "done");
        assertThat(tokenTexts(job)).containsExactly("a", "b", "cd");
        assertThat(batches(job)).isEqualTo(2);
        assertThat(log.status(job.id())).containsEntry("answer", "abcd").containsEntry("status", "done");
    }

    @Test
    void aComputingAgentsAnswerWaitsForItsTerminalEventAndGoesInOneCall() {
        Job job = openJob();
        RedisEventSink sink = new RedisEventSink(
                log.attempt(job, 1, Duration.ZERO), false, OutputLimits.DEFAULT, Duration.ofSeconds(30), timer, false);
        sink.append(new StreamEvent.Start("w", 1));
        sink.token("4");
        assertThat(types(job)).containsExactly("queued"); // the first token waits too

        assertThat(sink.finish(new StreamEvent.Done(Usage.NONE, "stop"))).isInstanceOf(AttemptOutcome.Written.class);
        assertThat(types(job)).containsExactly("queued", "start", "token", "done");
        assertThat(batches(job)).isEqualTo(1);
    }

    @Test
    void aComputingAgentsFirstTokenIsWrittenWhenTheWindowPasses() {
        Job job = openJob();
        RedisEventSink sink = new RedisEventSink(
                log.attempt(job, 1, Duration.ZERO), false, OutputLimits.DEFAULT, Duration.ofMillis(50), timer, false);
        sink.append(new StreamEvent.Start("w", 1));
        sink.token("4");
        await().atMost(Duration.ofSeconds(5)).until(() -> types(job).size() == 3);
        assertThat(types(job)).containsExactly("queued", "start", "token");
    }

    @Test
    void aZeroWindowWritesEveryEventOnItsOwn() {
        Job job = openJob();
        RedisEventSink sink = sink(job, Duration.ZERO);
        sink.append(new StreamEvent.Start("w", 1));
        sink.token("a");
        sink.token("b");
        assertThat(types(job)).containsExactly("queued", "start", "token", "token");
        assertThat(batches(job)).isEqualTo(3);
    }

    @Test
    void keepsTheTextExactAndInOrderUnderManySmallTokensFromAnotherThread() throws Exception {
        Job job = openJob();
        // Small events, so merged tokens must also respect the event size limit.
        OutputLimits limits = new OutputLimits(4096, 1_000_000);
        RedisEventSink sink = new RedisEventSink(
                log.attempt(job, 1, Duration.ZERO), false, limits, Duration.ofMillis(2), timer, true);
        Random random = new Random(11);
        StringBuilder sent = new StringBuilder();
        List<String> alphabet = List.of("a", "é", "😀", " ", "\n", "\"", "\\", "字", "\t");
        for (int i = 0; i < 5000; i++) {
            StringBuilder token = new StringBuilder();
            for (int j = 0, n = 1 + random.nextInt(5); j < n; j++) {
                token.append(alphabet.get(random.nextInt(alphabet.size())));
            }
            sent.append(token);
            sink.token(token.toString());
            if (i % 500 == 0) {
                Thread.sleep(3); // let the timer write some batches meanwhile
            }
        }
        assertThat(sink.finish(new StreamEvent.Done(Usage.NONE, "stop"))).isInstanceOf(AttemptOutcome.Written.class);
        List<String> texts = tokenTexts(job);
        assertThat(String.join("", texts)).isEqualTo(sent.toString());
        assertThat(texts).allSatisfy(text -> assertThat(text.length()).isLessThanOrEqualTo(limits.textChars()));
        assertThat(texts.size()).isLessThan(5000 / 4);
        assertThat(types(job).getLast()).isEqualTo("done");
        assertThat(log.status(job.id())).containsEntry("answer", sent.toString());
    }

    @Test
    void aToolCallIsWrittenWholeOrRefusedNeverCut() {
        Job job = openJob();
        OutputLimits limits = new OutputLimits(4096, 1_000_000);
        RedisEventSink sink = new RedisEventSink(
                log.attempt(job, 1, Duration.ZERO), false, limits, Duration.ofMillis(2), timer, true);
        sink.toolCall("call_1", "weather", "{\"city\":\"Paris\"}");
        String huge = "{\"text\":\"" + "x".repeat(5000) + "\"}";
        assertThatThrownBy(() -> sink.toolCall("call_2", "echo", huge))
                .isInstanceOfSatisfying(
                        AgentException.class, e -> assertThat(e.code()).isEqualTo("tool_call_too_large"));
        assertThat(sink.finish(new StreamEvent.Done(Usage.NONE, "tool_calls")))
                .isInstanceOf(AttemptOutcome.Written.class);
        assertThat(logOf(job).stream()
                        .filter(e -> e.type().equals("tool_call"))
                        .map(e -> WireCodec.decodeEvent(dev.agentic.model.EventType.TOOL_CALL, e.data())))
                .containsExactly(new StreamEvent.ToolCall("call_1", "weather", "{\"city\":\"Paris\"}"));
    }

    @Test
    void stopsWritingOnceTheRequestWasEndedElsewhere() {
        Job job = openJob();
        RedisEventSink sink = sink(job, Duration.ofMillis(20));
        sink.token("first");
        log.end(job.id(), new StreamEvent.Error("cancelled", "by the client", false));
        sink.token("second");
        await().atMost(Duration.ofSeconds(5)).until(sink::isClosed);
        assertThat(sink.outcome()).isEqualTo(AttemptOutcome.ENDED);
        sink.token("third");
        assertThat(sink.finish(new StreamEvent.Done(Usage.NONE, "stop"))).isEqualTo(AttemptOutcome.ENDED);
        assertThat(types(job)).containsExactly("queued", "token", "error");
        assertThat(log.status(job.id())).containsEntry(RedisKeys.STATUS_FIELD, "error");
    }

    @Test
    void writesNothingItHeldWhenTheAttemptEndsWithoutATerminal() throws Exception {
        Job job = openJob();
        RedisEventSink sink = sink(job, Duration.ofMillis(50));
        sink.token("first");
        sink.token("held");
        sink.close(AttemptOutcome.LOST);
        Thread.sleep(200);
        assertThat(tokenTexts(job)).containsExactly("first");
    }
}
