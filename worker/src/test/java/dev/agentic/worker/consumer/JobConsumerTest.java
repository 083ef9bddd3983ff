package dev.agentic.worker.consumer;

import static dev.agentic.worker.RedisProbe.first;
import static dev.agentic.worker.RedisProbe.terminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.loadtest.llmsim.LlmSimulator;
import dev.agentic.loadtest.llmsim.SimulatorConfig;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.worker.RedisProbe;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRegistry;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.EventSink;
import dev.agentic.worker.agent.diagnostic.DiagnosticAgent;
import dev.agentic.worker.agent.math.MathAgent;
import dev.agentic.worker.config.WorkerProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The consumer loop without Spring: several workers against one real redis-server. */
class JobConsumerTest {
    /** The consumers' meters (slots, stuck agents), shared by the workers a test starts. */
    private final SimpleMeterRegistry consumerMeters = new SimpleMeterRegistry();

    private static RedisServer redisServer;
    private static RedisProbe probe;

    private final List<Worker> workers = new ArrayList<>();

    /** One worker: its own connector, connection, runner and consumer, as a worker process has. */
    private record Worker(RedisConnector connector, RedisLink connection, JobConsumer consumer)
            implements AutoCloseable {
        @Override
        public void close() {
            if (consumer.isRunning()) {
                consumer.stop();
            }
            connection.close();
            connector.close();
        }
    }

    @BeforeAll
    static void startRedis() {
        redisServer = RedisServer.start();
        probe = new RedisProbe(redisServer.uri());
    }

    @AfterAll
    static void stopRedis() {
        if (probe != null) {
            probe.close();
        }
        if (redisServer != null) {
            redisServer.close();
        }
    }

    @BeforeEach
    void emptyRedis() {
        probe.flushAll();
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(Worker::close);
    }

    private Worker worker(String name, int concurrency) {
        return worker(name, concurrency, Duration.ofSeconds(10), 5);
    }

    private Worker worker(String name, int concurrency, Duration reclaimTimeout, int maxDeliveries) {
        return worker(
                name, concurrency, reclaimTimeout, maxDeliveries, List.of(new MathAgent(), new DiagnosticAgent()));
    }

    private Worker worker(
            String name, int concurrency, Duration reclaimTimeout, int maxDeliveries, List<Agent> agentList) {
        return worker(name, concurrency, reclaimTimeout, maxDeliveries, agentList, config -> config);
    }

    private Worker worker(
            String name,
            int concurrency,
            Duration reclaimTimeout,
            int maxDeliveries,
            List<Agent> agentList,
            java.util.function.UnaryOperator<WorkerProperties.Worker> tune) {
        RedisSettings settings = new RedisSettings(redisServer.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2));
        RedisConnector connector = new RedisConnector(settings);
        RedisLink connection = connector.connect();
        EventLog events = new EventLog(connection.sync(), Duration.ofHours(1), Duration.ofHours(2), Clock.systemUTC());
        CancelWatcher cancels = new CancelWatcher(connector);
        AgentRegistry agents = new AgentRegistry(agentList);
        var config = new WorkerProperties.Worker(
                name,
                concurrency,
                List.of(Lane.INTERACTIVE, Lane.BATCH),
                Duration.ofMillis(300),
                Duration.ofMillis(200),
                Duration.ofHours(1),
                true,
                reclaimTimeout,
                maxDeliveries,
                Duration.ofSeconds(5),
                Duration.ofHours(2),
                3);
        config = tune.apply(config);
        JobRunner runner = new JobRunner(
                events,
                agents,
                cancels,
                name,
                Duration.ofSeconds(5),
                Clock.systemUTC(),
                new SimpleMeterRegistry(),
                JobRunner.Services.NONE.withLimits(
                        new OutputLimits((int) config.maxEventBytes().toBytes(), config.maxAnswerChars())));
        Worker worker = new Worker(
                connector, connection, new JobConsumer(connector, connection, runner, cancels, config, consumerMeters));
        workers.add(worker);
        return worker;
    }

    @Test
    void acknowledgesAnEndedRequestWhoseAckWasLostInsteadOfDeadLetteringIt() {
        Job job = probe.submit("math", "2+2");
        // Its last allowed attempt wrote the terminal event, then the worker died before XACK.
        probe.redis().hset(dev.agentic.model.RedisKeys.request(job.id()), Map.of("status", "done", "attempts", "5"));

        worker("w1", 1, Duration.ofSeconds(10), 5).consumer().start();

        probe.awaitDrained();
        assertThat(probe.redis().xlen(dev.agentic.model.RedisKeys.DEAD_LETTERS)).isZero();
    }

    @Test
    void aDeadLetterKeepsAtMostSixtyFourKibOfItsJob() {
        String huge = "{\"not a job\":\"" + "x".repeat(300_000) + "\"}";
        probe.redis()
                .xadd(
                        dev.agentic.model.RedisKeys.queue(Lane.INTERACTIVE),
                        Map.of(dev.agentic.model.RedisKeys.JOB_FIELD, huge));

        worker("w1", 1).consumer().start();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> probe.redis().xlen(dev.agentic.model.RedisKeys.DEAD_LETTERS) == 1);
        var letter = probe.redis()
                .xrange(dev.agentic.model.RedisKeys.DEAD_LETTERS, io.lettuce.core.Range.create("-", "+"))
                .get(0)
                .getBody();
        assertThat(letter.get("error")).startsWith("undecodable job");
        assertThat(letter.get("job").length()).isBetween(60_000, JobConsumer.DEFAULT_DEAD_LETTER_JOB_BYTES + 100);
        probe.awaitDrained();
    }

    @Test
    void withSlotsToSpareOneReadTakesEveryLanesJobs() {
        List<Job> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiting.add(probe.submit(RedisProbe.job("math", i + "+1", Lane.BATCH)));
            waiting.add(probe.submit(RedisProbe.job("math", i + "+2", Lane.INTERACTIVE)));
        }
        worker("w1", 64).consumer().start();
        waiting.forEach(job -> assertThat(terminal(probe.awaitTerminal(job))).isInstanceOf(StreamEvent.Done.class));

        // One job at a time: each wakes the blocking read once (it was three reads: each lane
        // without blocking, then the block on the first lane).
        long readsBefore = xreadgroupCalls();
        for (int i = 0; i < 10; i++) {
            Lane lane = i % 2 == 0 ? Lane.INTERACTIVE : Lane.BATCH;
            assertThat(terminal(probe.awaitTerminal(probe.submit(RedisProbe.job("math", i + "*3", lane)))))
                    .isInstanceOf(StreamEvent.Done.class);
        }
        // Slack for blocking reads that timed out meanwhile (poll timeout 300 ms).
        assertThat(xreadgroupCalls() - readsBefore).isBetween(10L, 16L);
        probe.awaitDrained();
    }

    private long xreadgroupCalls() {
        String stats = probe.redis().info("commandstats");
        java.util.regex.Matcher calls = java.util.regex.Pattern.compile("cmdstat_xreadgroup:calls=(\\d+)")
                .matcher(stats);
        assertThat(calls.find()).as(stats).isTrue();
        return Long.parseLong(calls.group(1));
    }

    @Test
    void prefersWaitingInteractiveJobsOverBatchJobs() {
        Job batch = probe.submit(RedisProbe.job("math", "1+1", Lane.BATCH));
        Job interactive = probe.submit(RedisProbe.job("math", "2+2", Lane.INTERACTIVE));

        worker("w1", 1).consumer().start();

        List<LoggedEvent> batchLog = probe.awaitTerminal(batch);
        List<LoggedEvent> interactiveLog = probe.awaitTerminal(interactive);
        assertThat(first(interactiveLog, "start").orElseThrow().id())
                .isLessThan(first(batchLog, "start").orElseThrow().id());
        probe.awaitDrained();
    }

    @Test
    void leavesInterruptedJobPendingAndResumesItAsNewAttemptAfterRestartUnderTheSameName() {
        Job job = probe.submit("diagnostic", "sleep 2500");
        Worker before = worker("same-name", 2);
        before.consumer().start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> probe.log(job.id()).stream().anyMatch(e -> e.type().equals("token")));

        before.consumer().stop(); // grace 200 ms, then the job is interrupted

        assertThat(probe.log(job.id())).noneMatch(LoggedEvent::isTerminal);
        assertThat(probe.pending(Lane.INTERACTIVE)).isEqualTo(1);

        worker("same-name", 2).consumer().start();

        List<LoggedEvent> log = probe.awaitTerminal(job);
        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        List<StreamEvent> attempts = log.stream()
                .filter(e -> e.type().equals("start") || e.type().equals("restart"))
                .map(RedisProbe::decode)
                .toList();
        assertThat(attempts)
                .containsExactly(
                        new StreamEvent.Start("same-name", 1),
                        new StreamEvent.Restart(2, "a previous attempt did not finish"),
                        new StreamEvent.Start("same-name", 2));
        probe.awaitDrained();
        probe.assertEveryRequestEndedOnce();
    }

    @Test
    void sharesJobsBetweenWorkersOfOneGroupWithoutRunningAnyTwice() {
        Worker one = worker("w1", 2);
        Worker two = worker("w2", 2);
        one.consumer().start();
        two.consumer().start();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            jobs.add(probe.submit("math", i + "+1"));
        }

        for (Job job : jobs) {
            List<LoggedEvent> log = probe.awaitTerminal(job);
            assertThat(log.stream().filter(e -> e.type().equals("start"))).hasSize(1);
            assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        }
        probe.awaitDrained();
        probe.assertEveryRequestEndedOnce();
    }

    /** A consumer that takes an entry and then dies: it never refreshes, acks or runs it. */
    private static String takenByDeadWorker(String consumer) {
        return dev.agentic.redis.JobQueue.read(
                        probe.redis(), Lane.INTERACTIVE, consumer, 1, Duration.ofSeconds(2), false)
                .get(0)
                .getId();
    }

    @Test
    void aSteadyStreamOfInteractiveJobsDoesNotStarveTheBatchLane() {
        List<Job> interactive = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            interactive.add(probe.submit(RedisProbe.job("math", i + "+1", Lane.INTERACTIVE)));
        }
        Job batch = probe.submit(RedisProbe.job("math", "1+1", Lane.BATCH));

        worker("w1", 1).consumer().start(); // takes another lane's job after 3 in a row

        String batchStart =
                first(probe.awaitTerminal(batch), "start").orElseThrow().id().toString();
        long interactiveBefore = interactive.stream()
                .map(job -> first(probe.awaitTerminal(job), "start")
                        .orElseThrow()
                        .id()
                        .toString())
                .filter(start ->
                        dev.agentic.model.EventId.parse(start).compareTo(dev.agentic.model.EventId.parse(batchStart))
                                < 0)
                .count();
        assertThat(interactiveBefore).isEqualTo(3);
        probe.awaitDrained();
    }

    @Test
    void runsAJobDeliveredToItWhoseReplyItNeverGot() {
        Job busy = probe.submit("diagnostic", "sleep 1500");
        worker("w1", 1, Duration.ofSeconds(30), 5).consumer().start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> first(probe.log(busy.id()), "start").isPresent());
        Job job = probe.submit("math", "2*21");
        // A read whose reply w1 never got (it was paused past its client's timeout): Redis
        // delivered the entry to w1, but w1 does not know it has it.
        dev.agentic.redis.JobQueue.read(probe.redis(), Lane.INTERACTIVE, "w1", 1, Duration.ZERO, false);

        List<LoggedEvent> log = probe.awaitTerminal(job); // far sooner than the 30 s reclaim timeout

        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(log).extracting(LoggedEvent::type).doesNotContain("restart");
        probe.awaitDrained();
    }

    @Test
    void writesTheRequestOfAJobWhoseIngressDiedBeforeWritingIt() {
        Job job = RedisProbe.job("math", "5*5");
        dev.agentic.redis.JobQueue.enqueue(probe.redis(), job); // the ingress died right after this
        worker("w1", 1).consumer().start();

        List<LoggedEvent> log = probe.awaitTerminal(job);

        assertThat(log)
                .extracting(LoggedEvent::type)
                .startsWith("queued", "start")
                .endsWith("done");
        assertThat(probe.status(job)).containsEntry("status", "done").containsEntry("tenant", job.tenant());
        probe.awaitDrained();
    }

    @Test
    void neverTakesALiveWorkersJobHoweverLongItRuns() {
        Job job = probe.submit("diagnostic", "sleep 4000");
        worker("runner", 1, Duration.ofSeconds(1), 5).consumer().start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> first(probe.log(job.id()), "start").isPresent());
        worker("thief", 1, Duration.ofSeconds(1), 5).consumer().start();

        List<LoggedEvent> log = probe.awaitTerminal(job);

        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(log).extracting(LoggedEvent::type).doesNotContain("restart").containsOnlyOnce("start");
        probe.awaitDrained();
    }

    @Test
    void reclaimsTheJobOfADeadWorkerAsANewAttempt() {
        Job job = probe.submit("math", "6*7");
        dev.agentic.redis.JobQueue.ensureGroup(probe.redis(), Lane.INTERACTIVE);
        takenByDeadWorker("dead-worker");
        probe.writeAs(job, 1, new StreamEvent.Start("dead-worker", 1)); // it had begun, then died
        long start = System.nanoTime();
        worker("survivor", 1, Duration.ofSeconds(1), 5).consumer().start();

        List<LoggedEvent> log = probe.awaitTerminal(job);

        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(log.stream()
                        .filter(e -> e.type().equals("restart") || e.type().equals("start"))
                        .map(RedisProbe::decode))
                .containsExactly(
                        new StreamEvent.Start("dead-worker", 1),
                        new StreamEvent.Restart(2, "a previous attempt did not finish"),
                        new StreamEvent.Start("survivor", 2));
        System.out.printf(
                "reclaimed a dead worker's job in %d ms (reclaim timeout 1 s)%n",
                (System.nanoTime() - start) / 1_000_000);
        probe.awaitDrained();
        probe.assertEveryRequestEndedOnce();
    }

    @Test
    void deadLettersAJobAfterMaxDeliveries() {
        Job job = probe.submit("math", "1+1");
        dev.agentic.redis.JobQueue.ensureGroup(probe.redis(), Lane.INTERACTIVE);
        String entry = takenByDeadWorker("dead-1");
        for (int i = 2; i <= 3; i++) {
            // Each dead worker's reclaim counts as a delivery, as XAUTOCLAIM would.
            probe.redis()
                    .xclaim(
                            dev.agentic.model.RedisKeys.queue(Lane.INTERACTIVE),
                            io.lettuce.core.Consumer.from(dev.agentic.model.RedisKeys.WORKER_GROUP, "dead-" + i),
                            io.lettuce.core.XClaimArgs.Builder.minIdleTime(0),
                            entry);
        }
        worker("survivor", 1, Duration.ofSeconds(1), 3).consumer().start();

        StreamEvent.Error error = RedisProbe.error(probe.awaitTerminal(job));

        assertThat(error.code()).isEqualTo("max_deliveries_exceeded");
        assertThat(error.retryable()).isFalse();
        var letters =
                probe.redis().xrange(dev.agentic.model.RedisKeys.DEAD_LETTERS, io.lettuce.core.Range.create("-", "+"));
        assertThat(letters)
                .singleElement()
                .satisfies(letter -> assertThat(letter.getBody())
                        .containsEntry("request_id", job.id())
                        .containsEntry("attempts", "4")
                        .containsEntry("entry", entry)
                        .containsKeys("error", "worker", "job"));
        probe.awaitDrained();
    }

    @Test
    void stopsARunningJobAtItsDeadline() {
        long now = System.currentTimeMillis();
        Job job = probe.submit(new Job(
                1,
                dev.agentic.model.RequestId.newId(),
                "t",
                "diagnostic",
                "sleep 10000",
                null,
                Lane.INTERACTIVE,
                now,
                now + 1500,
                null));
        worker("w1", 1).consumer().start();

        StreamEvent.Error error = RedisProbe.error(probe.awaitTerminal(job));

        assertThat(error.code()).isEqualTo("deadline_exceeded");
        assertThat(error.message()).contains("while it ran");
        probe.awaitDrained();
    }

    @Test
    void handsUnfinishedJobsBackOnShutdownSoAnotherWorkerTakesThemAtOnce() {
        Job job = probe.submit("diagnostic", "sleep 3000");
        Worker leaving = worker("leaving", 1, Duration.ofSeconds(30), 5);
        leaving.consumer().start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> first(probe.log(job.id()), "start").isPresent());
        worker("staying", 1, Duration.ofSeconds(30), 5).consumer().start();

        leaving.consumer().stop(); // grace 200 ms: the job is interrupted and handed back

        // Far sooner than the 30 s reclaim timeout: the next refresh pass (every 7.5 s) takes it.
        List<LoggedEvent> log = probe.awaitTerminal(job);
        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(log.stream().filter(e -> e.type().equals("start")).map(RedisProbe::decode))
                .containsExactly(new StreamEvent.Start("leaving", 1), new StreamEvent.Start("staying", 2));
        probe.awaitDrained();
    }

    @Test
    void cancellingARunningLlmJobClosesTheProviderStream() {
        try (LlmSimulator llm = LlmSimulator.start(
                new SimulatorConfig(0, Duration.ofMillis(50), Duration.ofMillis(50), 400, 4, null, "sim-model"))) {
            Agent general = new dev.agentic.worker.agent.general.GeneralAgent(
                    dev.langchain4j.model.openai.OpenAiStreamingChatModel.builder()
                            .baseUrl(llm.baseUrl())
                            .apiKey("none")
                            .modelName("sim-model")
                            .build(),
                    "test",
                    Duration.ofSeconds(60));
            Job job = probe.submit("general", "talk for a long time");
            worker("w1", 1, Duration.ofSeconds(10), 5, List.of(general))
                    .consumer()
                    .start();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> RedisProbe.tokens(probe.log(job.id())).size() >= 3);

            long cancelled = System.nanoTime();
            probe.finish(job, new StreamEvent.Error("cancelled", "Cancelled by the client", false));
            await().atMost(Duration.ofSeconds(5)).until(() -> llm.stats().cancelled() == 1);
            long latencyMs = (System.nanoTime() - cancelled) / 1_000_000;

            System.out.printf("cancel reached the LLM stream in %d ms%n", latencyMs);
            assertThat(llm.stats().completed()).isZero();
            List<LoggedEvent> log = probe.awaitTerminal(job);
            assertThat(RedisProbe.error(log).code()).isEqualTo("cancelled");
            probe.awaitDrained();
            probe.assertEveryRequestEndedOnce();
        }
    }

    @Test
    void endsTheRequestWithAgentFailedWhenTheAgentThrowsAnError() {
        Job overflow = probe.submit("diagnostic", "throw-error");
        Job oom = probe.submit("diagnostic", "throw-error oom");
        worker("w1", 2).consumer().start();

        for (Job job : List.of(overflow, oom)) {
            StreamEvent.Error error = RedisProbe.error(probe.awaitTerminal(job));
            assertThat(error.code()).isEqualTo("agent_failed");
            assertThat(error.retryable()).isFalse();
        }
        probe.awaitDrained();
        probe.assertEveryRequestEndedOnce();
    }

    /** A job delivered to {@code consumer} whose reply it never got: it adopts the entry as an orphan. */
    private static void deliveredButNeverReceived(String consumer) {
        dev.agentic.redis.JobQueue.ensureGroup(probe.redis(), Lane.INTERACTIVE);
        dev.agentic.redis.JobQueue.read(probe.redis(), Lane.INTERACTIVE, consumer, 1, Duration.ZERO, false);
    }

    @Test
    void runsAnEntryItsOwnWorkerAdoptsAgainAsANewAttempt() {
        Job busy = probe.submit("diagnostic", "sleep 1500");
        worker("w1", 1, Duration.ofSeconds(30), 5).consumer().start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> first(probe.log(busy.id()), "start").isPresent());
        Job job = probe.submit("math", "6*7");
        deliveredButNeverReceived("w1");
        // An earlier attempt of w1 on this entry wrote more events than a re-run does, then failed
        // without acknowledging (an Error, a lost reply): XCLAIM JUSTID did not count a delivery.
        probe.writeAllAs(
                job,
                1,
                new StreamEvent.Start("w1", 1),
                new StreamEvent.Token("a"),
                new StreamEvent.Token("b"),
                new StreamEvent.Token("c"),
                new StreamEvent.Token("d"),
                new StreamEvent.Token("e"),
                new StreamEvent.Token("f"));

        List<LoggedEvent> log = probe.awaitTerminal(job);

        assertThat(terminal(log)).isInstanceOf(StreamEvent.Done.class);
        assertThat(log.stream()
                        .filter(e -> e.type().equals("restart") || e.type().equals("start"))
                        .map(RedisProbe::decode))
                .containsExactly(
                        new StreamEvent.Start("w1", 1),
                        new StreamEvent.Restart(2, "a previous attempt did not finish"),
                        new StreamEvent.Start("w1", 2));
        probe.awaitDrained();
        probe.assertEveryRequestEndedOnce();
    }

    @Test
    void deadLettersAnEntryWhoseAttemptsReachedMaxDeliveriesThoughItsDeliveryCountDidNot() {
        Job job = probe.submit("math", "1+1");
        deliveredButNeverReceived("w1");
        // Three attempts began on this entry (each re-adopted with XCLAIM JUSTID, delivery count 1).
        probe.redis().hset(dev.agentic.model.RedisKeys.request(job.id()), "attempts", "3");
        worker("w1", 1, Duration.ofSeconds(30), 3).consumer().start();

        StreamEvent.Error error = RedisProbe.error(probe.awaitTerminal(job));

        assertThat(error.code()).isEqualTo("max_deliveries_exceeded");
        assertThat(probe.redis().xlen(dev.agentic.model.RedisKeys.DEAD_LETTERS)).isEqualTo(1);
        probe.awaitDrained();
    }

    private static Job jobWithDeadline(String agent, String query, long deadlineInMs) {
        long now = System.currentTimeMillis();
        return new Job(
                1,
                dev.agentic.model.RequestId.newId(),
                "t",
                agent,
                query,
                null,
                Lane.INTERACTIVE,
                now,
                now + deadlineInMs,
                null);
    }

    /** An agent that waits rather than computes (as an LLM-bound one does): it echoes the query. */
    private static final Agent ECHO = new Agent() {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public AgentResult run(AgentRequest request, EventSink sink) {
            sink.token(request.query());
            return new AgentResult(new Usage(1, 1, 0), "stop");
        }
    };

    @Test
    void waitingAgentsFinishPromptlyBesideAgentsThatComputeWithoutEnd() {
        int cores = Runtime.getRuntime().availableProcessors();
        worker("w1", cores + 1, Duration.ofSeconds(10), 5, List.of(new DiagnosticAgent(), ECHO), config -> config)
                .consumer()
                .start();
        List<Job> spinning = new ArrayList<>();
        for (int i = 0; i < cores; i++) { // one per core: on virtual threads they would hold every carrier
            spinning.add(probe.submit(jobWithDeadline("diagnostic", "spin 6000", 2000)));
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> probe.redis().keys("agentic:req:*").stream()
                                .filter(key -> "running".equals(probe.redis().hget(key, "status")))
                                .count()
                        == cores);

        long start = System.nanoTime();
        Job ordinary = probe.submit("echo", "hello");
        assertThat(terminal(probe.awaitTerminal(ordinary))).isInstanceOf(StreamEvent.Done.class);
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        System.out.printf("a waiting agent's job beside %d spinning agents took %d ms%n", cores, tookMs);
        assertThat(tookMs)
                .as("a job on a virtual thread waits for no spinning agent (they spin 6 s)")
                .isLessThan(4000);
        // Their agents return (spinning out) before the next test: no CPU is taken from it. (Not
        // free slots: the read loop takes every free slot for each blocking read.)
        spinning.forEach(probe::awaitTerminal);
        AgentThreads threads = workers.get(0).consumer().agentThreads();
        await().atMost(Duration.ofSeconds(20)).until(() -> threads.stuckCount() == 0);
        assertThat(consumerMeters.get("agentic.worker.agents.stuck").gauge().value())
                .isZero();
    }

    @Test
    void computingAgentsRunAtMostCpuConcurrencyAtOnceAndTheLoopStopsReadingBehindThem() {
        Worker worker = worker(
                "w1",
                8,
                Duration.ofSeconds(10),
                5,
                List.of(new DiagnosticAgent(), ECHO),
                config -> config.withCpuConcurrency(1));
        AgentThreads threads = worker.consumer().agentThreads();
        worker.consumer().start();
        Job first = probe.submit(jobWithDeadline("diagnostic", "spin 3000", 20_000));
        Job second = probe.submit(jobWithDeadline("diagnostic", "spin 3000", 20_000));

        await().atMost(Duration.ofSeconds(2)).until(() -> threads.computeWaiting() == 1);
        // One computes, one waits for the only thread: once a read in progress has timed out (the
        // poll timeout is 300 ms), the loop reads nothing more until the waiting one starts.
        sleep(Duration.ofMillis(500));
        Job waiting = probe.submit("echo", "behind");
        sleep(Duration.ofMillis(500));
        long pendingDuringSpin = probe.redis()
                .xpending(RedisKeys.queue(Lane.INTERACTIVE), RedisKeys.WORKER_GROUP)
                .getCount();
        assertThat(threads.computeWaiting()).isEqualTo(1);

        for (Job job : List.of(first, second, waiting)) {
            assertThat(terminal(probe.awaitTerminal(job))).isInstanceOf(StreamEvent.Done.class);
        }
        assertThat(pendingDuringSpin)
                .as("the echo job was not read while a computing job waited")
                .isEqualTo(2);
        probe.assertEveryRequestEndedOnce();
    }

    @Test
    void endsASpinningJobByDeadlinePlusGraceAndHoldsItsSlotUntilItReturns() {
        Duration grace = Duration.ofMillis(1000);
        // Returns only once two of its runs are running at the same time: proof that both slots are free.
        CountDownLatch bothRunning = new CountDownLatch(2);
        Agent pair = new Agent() {
            @Override
            public String name() {
                return "pair";
            }

            @Override
            public AgentResult run(AgentRequest request, EventSink sink) throws InterruptedException {
                bothRunning.countDown();
                if (!bothRunning.await(10, TimeUnit.SECONDS)) {
                    throw new AgentException("alone", "only one slot was free", false);
                }
                sink.token("together");
                return new AgentResult(new Usage(1, 1, 0), "stop");
            }
        };
        Worker worker = worker(
                "w1",
                2,
                Duration.ofSeconds(10),
                5,
                List.of(new DiagnosticAgent(), ECHO, pair),
                config -> config.withBounds(
                        grace,
                        Duration.ofMillis(500),
                        org.springframework.util.unit.DataSize.ofKilobytes(64),
                        1_000_000));
        AgentThreads threads = worker.consumer().agentThreads();
        worker.consumer().start();
        Job spinning = probe.submit(jobWithDeadline("diagnostic", "spin 9000", 1500));

        StreamEvent.Error error = RedisProbe.error(probe.awaitTerminal(spinning));

        assertThat(error.code()).isEqualTo("deadline_exceeded");
        long lateMs = Long.parseLong(probe.status(spinning).get("finished_ms")) - spinning.deadlineMs();
        System.out.printf("a spinning agent's request ended %d ms after its deadline (grace %s)%n", lateMs, grace);
        assertThat(lateMs).as("ended by deadline + grace (+ slack)").isLessThan(grace.toMillis() + 3000);
        probe.awaitDrained(); // acknowledged
        assertThat(threads.stuckCount()).isEqualTo(1);
        // Of the two slots the stuck agent keeps one and the consume loop's pending read the other.
        assertThat(threads.freeSlots()).as("the stuck agent keeps its slot").isZero();
        assertThat(consumerMeters.get("agentic.worker.agents.stuck").gauge().value())
                .isEqualTo(1);
        assertThat(consumerMeters
                        .get("agentic.worker.slots")
                        .tag("state", "busy")
                        .gauge()
                        .value())
                .isEqualTo(2);
        assertThat(consumerMeters
                        .get("agentic.worker.slots")
                        .tag("state", "free")
                        .gauge()
                        .value())
                .isZero();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> threads.oldestStuck()
                        .filter(stuck -> stuck.compareTo(Duration.ofMillis(500)) > 0)
                        .isPresent());
        Job ordinary = probe.submit("echo", "hello");
        assertThat(terminal(probe.awaitTerminal(ordinary))).isInstanceOf(StreamEvent.Done.class);

        // Once the agent returns its slot is free again. The consume loop may hold free slots for its
        // next read, so freeSlots() alone cannot tell; two jobs that must run side by side can.
        await().atMost(Duration.ofSeconds(20)).until(() -> threads.stuckCount() == 0);
        assertThat(consumerMeters.get("agentic.worker.agents.stuck").gauge().value())
                .isZero();
        Job first = probe.submit("pair", "a");
        Job second = probe.submit("pair", "b");
        assertThat(terminal(probe.awaitTerminal(first))).isInstanceOf(StreamEvent.Done.class);
        assertThat(terminal(probe.awaitTerminal(second))).isInstanceOf(StreamEvent.Done.class);
        assertThat(probe.log(spinning.id())).filteredOn(LoggedEvent::isTerminal).hasSize(1);
        probe.assertEveryRequestEndedOnce();
    }

    @Test
    void anLlmStyleAgentThatStopsAtAFullAnswerEndsWithDoneLengthNotAnError() {
        // Like LlmStream: it streams until the sink says closed, then ends with a cancel exception.
        Agent streaming = new Agent() {
            @Override
            public String name() {
                return "streaming";
            }

            @Override
            public AgentResult run(AgentRequest request, EventSink sink) {
                while (!sink.isClosed()) {
                    sink.token("word ");
                }
                throw new AgentException("cancelled", "The request was cancelled", false);
            }
        };
        worker(
                        "w1",
                        1,
                        Duration.ofSeconds(10),
                        5,
                        List.of(streaming),
                        config -> config.withBounds(
                                Duration.ofSeconds(5),
                                Duration.ofSeconds(30),
                                org.springframework.util.unit.DataSize.ofBytes(4096),
                                1000))
                .consumer()
                .start();
        Job job = probe.submit("streaming", "talk");

        assertThat(terminal(probe.awaitTerminal(job)))
                .isInstanceOfSatisfying(
                        StreamEvent.Done.class,
                        done -> assertThat(done.finishReason()).isEqualTo("length"));
    }

    @Test
    void cutsEventsAndEndsAnAnswerThatReachesItsLimitWithLength() {
        int maxEventBytes = 4096;
        int maxAnswerChars = 20_000;
        worker(
                        "w1",
                        1,
                        Duration.ofSeconds(10),
                        5,
                        List.of(new DiagnosticAgent()),
                        config -> config.withBounds(
                                Duration.ofSeconds(5),
                                Duration.ofSeconds(30),
                                org.springframework.util.unit.DataSize.ofBytes(maxEventBytes),
                                maxAnswerChars))
                .consumer()
                .start();
        Job flood = probe.submit("diagnostic", "flood 5000000");

        List<LoggedEvent> log = probe.awaitTerminal(flood);

        assertThat(terminal(log))
                .isInstanceOfSatisfying(
                        StreamEvent.Done.class,
                        done -> assertThat(done.finishReason()).isEqualTo("length"));
        String key = dev.agentic.model.RedisKeys.request(flood.id());
        assertThat(probe.redis().hstrlen(key, dev.agentic.model.RedisKeys.ANSWER_FIELD))
                .isEqualTo(maxAnswerChars);
        var entries = probe.redis()
                .xrange(dev.agentic.model.RedisKeys.events(flood.id()), io.lettuce.core.Range.create("-", "+"));
        long total = 0;
        for (var entry : entries) {
            int bytes = entry.getBody().get("data").getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertThat(bytes).as("one event's data").isLessThanOrEqualTo(maxEventBytes);
            total += bytes;
        }
        System.out.printf("a 5,000,000-character flood wrote %d events, %d bytes of data%n", entries.size(), total);
        assertThat(total).as("all the request's events").isLessThan(2L * maxAnswerChars + 8 * maxEventBytes);
        assertThat(first(log, "tool_end").map(RedisProbe::decode).orElseThrow())
                .isInstanceOfSatisfying(
                        StreamEvent.ToolEnd.class,
                        end -> assertThat(end.output()).endsWith("… [truncated]"));
        probe.awaitDrained();
    }

    @Test
    void stopsWithoutWritingAJobAnotherWorkerReclaimedWhileItWasPaused() {
        Job job = probe.submit("diagnostic", "sleep 8000");
        // Refreshes every 2 s; the test's "survivor" never refreshes, so after 8 s "paused" could
        // rightly take the entry back as abandoned: the checks below end before that.
        worker("paused", 1, Duration.ofSeconds(8), 5).consumer().start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> RedisProbe.tokens(probe.log(job.id())).size() >= 1);
        String entry = dev.agentic.redis.JobQueue.pendingOf(probe.redis(), Lane.INTERACTIVE, "paused", 10)
                .get(0)
                .getId();
        // "paused" missed its refreshes past the reclaim timeout (SIGSTOP, GC) and "survivor" took
        // the entry, but has not begun its attempt yet; then "paused" resumes.
        probe.redis()
                .xclaim(
                        dev.agentic.model.RedisKeys.queue(Lane.INTERACTIVE),
                        io.lettuce.core.Consumer.from(dev.agentic.model.RedisKeys.WORKER_GROUP, "survivor"),
                        io.lettuce.core.XClaimArgs.Builder.minIdleTime(0),
                        entry);

        // Its next refresh (within 2 s) finds the entry gone: it stops, writing nothing more.
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger(-1);
        await().during(Duration.ofMillis(2500)) // the agent writes a tick every second while it runs
                .atMost(Duration.ofSeconds(5))
                .until(() -> seen.getAndSet(probe.log(job.id()).size()) == seen.get());
        assertThat(probe.log(job.id())).noneMatch(LoggedEvent::isTerminal);
        assertThat(dev.agentic.redis.JobQueue.pendingOf(probe.redis(), Lane.INTERACTIVE, "survivor", 10))
                .extracting(io.lettuce.core.models.stream.PendingMessage::getId)
                .containsExactly(entry);
        assertThat(dev.agentic.redis.JobQueue.pendingOf(probe.redis(), Lane.INTERACTIVE, "paused", 10))
                .isEmpty();
    }

    @Test
    void writesNoClientTextWithLineBreaksToTheLogWhenAnAgentFails() {
        ch.qos.logback.classic.Logger runnerLog =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(JobRunner.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        runnerLog.addAppender(lines);
        try {
            // Not a number: the agent's exception message carries the client's text, CR/LF included.
            Job job = probe.submit("diagnostic", "sleep 1\r\n2026-12-01 INFO forged line");
            worker("w1", 1).consumer().start();

            assertThat(RedisProbe.error(probe.awaitTerminal(job)).code()).isEqualTo("agent_failed");

            assertThat(lines.list).isNotEmpty().allSatisfy(line -> {
                assertThat(line.getFormattedMessage()).doesNotContain("\n", "\r");
                if (line.getThrowableProxy() != null) {
                    assertThat(String.valueOf(line.getThrowableProxy().getMessage()))
                            .doesNotContain("\n", "\r");
                }
            });
        } finally {
            runnerLog.detachAppender(lines);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
