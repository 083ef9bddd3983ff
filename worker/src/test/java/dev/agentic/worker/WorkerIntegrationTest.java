package dev.agentic.worker;

import static dev.agentic.worker.RedisProbe.error;
import static dev.agentic.worker.RedisProbe.first;
import static dev.agentic.worker.RedisProbe.terminal;
import static dev.agentic.worker.RedisProbe.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.loadtest.llmsim.LlmSimulator;
import dev.agentic.loadtest.llmsim.SimulatorConfig;
import dev.agentic.loadtest.llmsim.SimulatorStats;
import dev.agentic.model.EventId;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.JobQueue;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A whole worker (Spring context, consumer loop, agents) against a real redis-server and the LLM simulator. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WorkerIntegrationTest {
    private static final int SIM_TOKENS = 5;
    private static final String WORKER_NAME = "it-worker";

    private static RedisServer redisServer;
    private static LlmSimulator llm;
    private static RedisProbe probe;

    @BeforeAll
    static void startServers() {
        redisServer = RedisServer.start();
        llm = LlmSimulator.start(
                new SimulatorConfig(0, Duration.ofMillis(10), Duration.ofMillis(5), SIM_TOKENS, 16, null, "sim-model"));
        probe = new RedisProbe(redisServer.uri());
    }

    @AfterAll
    static void stopServers() {
        if (probe != null) {
            probe.close();
        }
        if (llm != null) {
            llm.close();
        }
        if (redisServer != null) {
            redisServer.close();
        }
    }

    @DynamicPropertySource
    static void workerProperties(DynamicPropertyRegistry registry) {
        registry.add("agentic.redis.uri", () -> redisServer.uri());
        registry.add("agentic.llm.base-url", () -> llm.baseUrl());
        registry.add("agentic.llm.model", () -> "sim-model");
        registry.add("agentic.worker.name", () -> WORKER_NAME);
        registry.add("agentic.worker.diagnostic-agent", () -> "true");
        registry.add("agentic.worker.poll-timeout", () -> "500ms");
        registry.add("agentic.worker.concurrency", () -> "2");
        registry.add("agentic.worker.shutdown-grace", () -> "2s");
    }

    @AfterEach
    void everyRequestEndedExactlyOnce() {
        probe.awaitDrained();
        probe.assertEveryRequestEndedOnce();
    }

    @Test
    void answersMathJobWithDoneAndAcksIt() {
        Job job = probe.submit("math", "What is 2+2?");

        List<LoggedEvent> log = probe.awaitTerminal(job);

        assertThat(log.getFirst().type()).isEqualTo("queued");
        assertThat(RedisProbe.decode(first(log, "start").orElseThrow()))
                .isEqualTo(new StreamEvent.Start(WORKER_NAME, 1));
        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        String answer = String.join("", tokens(log));
        assertThat(answer).contains("4");
        Map<String, String> status = probe.status(job);
        assertThat(status).containsEntry(RedisKeys.STATUS_FIELD, "done").containsEntry(RedisKeys.ANSWER_FIELD, answer);
        await().atMost(Duration.ofSeconds(5)).until(() -> probe.pending(Lane.INTERACTIVE) == 0);
    }

    @Test
    void reportsItselfAndTheRequestsItEndedToTheDashboard() {
        long doneBefore = jobsDone();
        Job streamed = probe.submit("general", "Tell me something");
        Job unknown = probe.submit("no-such-agent", "anything");
        probe.awaitTerminal(streamed);
        probe.awaitTerminal(unknown);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> recentIds().containsAll(List.of(streamed.id(), unknown.id())));
        Map<String, tools.jackson.databind.JsonNode> recent = new java.util.HashMap<>();
        for (String line : probe.redis().lrange(RedisKeys.RECENT_REQUESTS, 0, -1)) {
            tools.jackson.databind.JsonNode summary = JSON.readTree(line);
            recent.put(summary.get("id").stringValue(), summary);
        }
        tools.jackson.databind.JsonNode done = recent.get(streamed.id());
        assertThat(done.get("status").stringValue()).isEqualTo("done");
        assertThat(done.get("agent").stringValue()).isEqualTo("general");
        assertThat(done.get("lane").stringValue()).isEqualTo("interactive");
        assertThat(done.get("ttft_ms").longValue())
                .isBetween(0L, done.get("duration_ms").longValue());
        tools.jackson.databind.JsonNode failed = recent.get(unknown.id());
        assertThat(failed.get("status").stringValue()).isEqualTo("error");
        assertThat(failed.get("error_code").stringValue()).isEqualTo("unknown_agent");
        assertThat(failed.get("ttft_ms").isNull()).isTrue();

        // The heartbeat: listed in the workers index, its key describing it.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Double beat = probe.redis().zscore(RedisKeys.WORKERS, WORKER_NAME);
            assertThat(beat).isNotNull();
            assertThat(System.currentTimeMillis() - beat.longValue()).isLessThan(30_000);
            tools.jackson.databind.JsonNode status = JSON.readTree(probe.redis().get(RedisKeys.worker(WORKER_NAME)));
            assertThat(status.get("concurrency").intValue()).isEqualTo(2);
            assertThat(status.get("jobs_done").longValue()).isGreaterThanOrEqualTo(doneBefore + 2);
            assertThat(status.get("version").stringValue()).isNotBlank();
            assertThat(status.get("busy").intValue()).isBetween(0, 2);
        });
    }

    private static final tools.jackson.databind.json.JsonMapper JSON =
            tools.jackson.databind.json.JsonMapper.builder().build();

    /** The jobs the worker's last heartbeat reports done (0 before its first). */
    private static long jobsDone() {
        String status = probe.redis().get(RedisKeys.worker(WORKER_NAME));
        return status == null ? 0 : JSON.readTree(status).get("jobs_done").longValue();
    }

    private static List<String> recentIds() {
        return probe.redis().lrange(RedisKeys.RECENT_REQUESTS, 0, -1).stream()
                .map(line -> JSON.readTree(line).get("id").stringValue())
                .toList();
    }

    @Test
    void streamsTheLlmTokensOfGeneralJobInOrder() {
        Job job = probe.submit("general", "Tell me something");

        List<LoggedEvent> log = probe.awaitTerminal(job);

        // Tokens arriving within the coalesce window share an event; the first is written alone.
        assertThat(tokens(log)).first().isEqualTo("sim0 ");
        assertThat(String.join("", tokens(log)))
                .isEqualTo(IntStream.range(0, SIM_TOKENS)
                        .mapToObj(i -> "sim" + i + " ")
                        .collect(java.util.stream.Collectors.joining()));
        assertThat(terminal(log))
                .isInstanceOfSatisfying(
                        StreamEvent.Done.class,
                        done -> assertThat(done.usage().tokensOut()).isEqualTo(SIM_TOKENS));
    }

    @Test
    void endsFailingAgentsJobInAgentFailedAndKeepsConsuming() {
        Job failing = probe.submit("diagnostic", "fail");
        Job next = probe.submit("math", "What is 2+2?");

        StreamEvent.Error failure = error(probe.awaitTerminal(failing));
        List<LoggedEvent> nextLog = probe.awaitTerminal(next);

        assertThat(failure.code()).isEqualTo("agent_failed");
        assertThat(failure.message()).doesNotContain("IllegalStateException");
        assertThat(terminal(nextLog)).isInstanceOf(StreamEvent.Done.class);
    }

    @Test
    void endsUnknownAgentsJobInUnknownAgentError() {
        Job job = probe.submit("astrology", "What is my sign?");

        assertThat(error(probe.awaitTerminal(job)).code()).isEqualTo("unknown_agent");
    }

    @Test
    void processesJobWrittenByNewerVersionWithUnknownFields() {
        long now = System.currentTimeMillis();
        Job job = new Job(
                2, RequestId.newId(), "t", "math", "What is 2+2?", null, Lane.INTERACTIVE, now, now + 60_000, null);
        String json = WireCodec.encodeJob(job)
                .replaceFirst("^\\{", "{\"priority\":\"high\",\"routing\":{\"region\":\"eu\"},");
        assertThat(json).contains("\"v\":2", "\"routing\":{\"region\":\"eu\"}");
        probe.open(job);

        probe.redis()
                .xadd(
                        RedisKeys.queue(Lane.INTERACTIVE),
                        Map.of(RedisKeys.VERSION_FIELD, "2", RedisKeys.JOB_FIELD, json, "trace_flags", "01"));

        List<LoggedEvent> log = probe.awaitTerminal(job);
        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(String.join("", tokens(log))).contains("4");
    }

    @Test
    void deadLettersUndecodableEntriesAcksThemAndKeepsConsuming() {
        String garbage = probe.redis()
                .xadd(
                        RedisKeys.queue(Lane.INTERACTIVE),
                        Map.of(RedisKeys.VERSION_FIELD, "1", RedisKeys.JOB_FIELD, "{not json"));
        String invalid = probe.redis()
                .xadd(
                        RedisKeys.queue(Lane.INTERACTIVE),
                        Map.of(RedisKeys.JOB_FIELD, "{\"id\":\"../../etc\",\"tenant\":\"t\",\"agent\":\"math\"}"));
        Job next = probe.submit("math", "What is 2+2?");

        assertThat(terminal(probe.awaitTerminal(next))).isInstanceOf(StreamEvent.Done.class);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(deadLetteredEntries()).contains(garbage, invalid));
        await().atMost(Duration.ofSeconds(5)).until(() -> probe.pending(Lane.INTERACTIVE) == 0);
    }

    private List<String> deadLetteredEntries() {
        List<StreamMessage<String, String>> letters =
                probe.redis().xrange(RedisKeys.DEAD_LETTERS, Range.create("-", "+"));
        return letters.stream().map(m -> m.getBody().get("entry")).toList();
    }

    @Test
    void recreatesTheConsumerGroupWhenItIsDeleted() {
        deleteGroupAndAwaitItsReturn();

        Job job = probe.submit("math", "What is 2+2?");
        assertThat(terminal(probe.awaitTerminal(job))).isInstanceOf(StreamEvent.Done.class);
    }

    @Test
    void keepsConsumingAfterMoreLostGroupsThanItHasSlots() {
        for (int i = 0; i < 4; i++) {
            deleteGroupAndAwaitItsReturn();
        }

        Job first = probe.submit("diagnostic", "sleep 300");
        Job second = probe.submit("diagnostic", "sleep 300");
        assertThat(terminal(probe.awaitTerminal(first))).isInstanceOf(StreamEvent.Done.class);
        assertThat(terminal(probe.awaitTerminal(second))).isInstanceOf(StreamEvent.Done.class);
    }

    private void deleteGroupAndAwaitItsReturn() {
        probe.awaitDrained();
        assertThat(probe.redis().xgroupDestroy(RedisKeys.queue(Lane.INTERACTIVE), RedisKeys.WORKER_GROUP))
                .isTrue();
        await("worker recreates the consumer group")
                .atMost(Duration.ofSeconds(10))
                .until(() -> probe.group(Lane.INTERACTIVE).isPresent());
        probe.awaitDrained();
    }

    @Test
    void endsExpiredJobInDeadlineExceededWithoutRunningIt() {
        long now = System.currentTimeMillis();
        Job job = new Job(
                1,
                RequestId.newId(),
                "t",
                "math",
                "What is 2+2?",
                null,
                Lane.INTERACTIVE,
                now - 2000,
                now - 1000,
                null);

        List<LoggedEvent> log = probe.awaitTerminal(probe.submit(job));

        assertThat(error(log).code()).isEqualTo("deadline_exceeded");
        assertThat(first(log, "start")).isEmpty();
        assertThat(tokens(log)).isEmpty();
    }

    @Test
    void runsTwoJobsAtOnceWithConcurrencyTwo() {
        Job one = probe.submit("diagnostic", "sleep 1500");
        Job two = probe.submit("diagnostic", "sleep 1500");

        List<LoggedEvent> logOne = probe.awaitTerminal(one);
        List<LoggedEvent> logTwo = probe.awaitTerminal(two);

        EventId lastStart = max(startOf(logOne), startOf(logTwo));
        EventId firstEnd = min(logOne.getLast().id(), logTwo.getLast().id());
        assertThat(lastStart).as("both started before either ended").isLessThan(firstEnd);
        assertThat(terminal(logOne)).isInstanceOf(StreamEvent.Done.class);
        assertThat(terminal(logTwo)).isInstanceOf(StreamEvent.Done.class);
    }

    private static EventId startOf(List<LoggedEvent> log) {
        return first(log, "start").orElseThrow().id();
    }

    private static EventId max(EventId a, EventId b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static EventId min(EventId a, EventId b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Test
    void stopsTheAgentWhenTheRequestEndsElsewhere() {
        Job job = probe.submit("diagnostic", "sleep 60000");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> probe.log(job.id()).stream().anyMatch(e -> e.type().equals("token")));

        probe.finish(job, new StreamEvent.Error("cancelled", "The client went away", false));

        await("job acked although its agent would sleep for a minute")
                .atMost(Duration.ofSeconds(10))
                .until(() -> probe.drained(Lane.INTERACTIVE));
        assertThat(error(probe.log(job.id())).code()).isEqualTo("cancelled");
    }

    @Test
    void doesNotCallTheLlmAgainForJobWhoseRequestHasAlreadyEnded() {
        Job job = probe.submit("general", "Tell me something");
        assertThat(terminal(probe.awaitTerminal(job))).isInstanceOf(StreamEvent.Done.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.stats().active() == 0);
        long callsBefore = calls(llm.stats());

        JobQueue.enqueue(probe.redis(), job); // delivered again, as after a reclaim or a lost group
        probe.awaitDrained();

        assertThat(calls(llm.stats())).isEqualTo(callsBefore);
        assertThat(probe.log(job.id()).stream().filter(e -> e.type().equals("start")))
                .hasSize(1);
    }

    private static long calls(SimulatorStats stats) {
        return stats.active() + stats.completed() + stats.cancelled() + stats.rejected();
    }
}
