package dev.agentic.worker.consumer;

import static dev.agentic.worker.RedisProbe.terminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.redis.UsageLedger;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.worker.RedisProbe;
import dev.agentic.worker.agent.AgentRegistry;
import dev.agentic.worker.agent.diagnostic.DiagnosticAgent;
import dev.agentic.worker.agent.math.MathAgent;
import dev.agentic.worker.config.WorkerProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Usage is priced from the table and counted once per request, whichever attempt finishes it. */
class UsageAccountingTest {
    private static final Map<String, UsageAccounting.Price> PRICES =
            Map.of("math", new UsageAccounting.Price(1_000.0, 2_000.0)); // USD per 1M tokens

    private static RedisServer redisServer;
    private static RedisProbe probe;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redisServer = RedisServer.start();
        probe = new RedisProbe(redisServer.uri());
    }

    @AfterAll
    static void stopRedis() {
        probe.close();
        redisServer.close();
    }

    @BeforeEach
    void emptyRedis() {
        probe.flushAll();
    }

    @AfterEach
    void stopWorkers() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private record Parts(JobConsumer consumer, UsageAccounting accounting) {}

    private Parts worker(String name, Duration reclaimTimeout) {
        RedisSettings settings = new RedisSettings(redisServer.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2));
        RedisConnector connector = new RedisConnector(settings);
        RedisLink connection = connector.connect();
        EventLog events = new EventLog(connection.sync(), Duration.ofHours(1), Duration.ofHours(2), Clock.systemUTC());
        CancelWatcher cancels = new CancelWatcher(connector);
        UsageAccounting accounting =
                new UsageAccounting(new UsageLedger(connection.sync(), Duration.ofDays(400)), events, PRICES);
        JobRunner runner = new JobRunner(
                events,
                new AgentRegistry(List.of(new MathAgent(), new DiagnosticAgent())),
                cancels,
                name,
                Duration.ofSeconds(5),
                Clock.systemUTC(),
                new SimpleMeterRegistry(),
                JobRunner.Services.NONE.withUsage(accounting));
        WorkerProperties.Worker config = new WorkerProperties.Worker(
                name,
                2,
                List.of(Lane.INTERACTIVE),
                Duration.ofMillis(300),
                Duration.ofMillis(200),
                Duration.ofHours(1),
                true,
                reclaimTimeout,
                5,
                Duration.ofSeconds(5),
                Duration.ofHours(2),
                3);
        JobConsumer consumer =
                new JobConsumer(connector, connection, runner, cancels, config, new SimpleMeterRegistry());
        closing.add(connector::close);
        closing.add(connection::close);
        closing.add(() -> {
            if (consumer.isRunning()) {
                consumer.stop();
            }
        });
        return new Parts(consumer, accounting);
    }

    private static Map<String, String> usageOf(Job job) {
        return probe.redis()
                .hgetall(RedisKeys.usageDay(
                        job.tenant(), UsageLedger.dayOf(job.createdAtMs()).toString()));
    }

    @Test
    void countsEachFinishedRequestOnceWithItsCostFromThePriceTable() {
        worker("w1", Duration.ofSeconds(10)).consumer().start();
        Job first = probe.submit("math", "2+2");
        Job second = probe.submit("math", "3*3");

        Usage one = ((StreamEvent.Done) terminal(probe.awaitTerminal(first))).usage();
        Usage two = ((StreamEvent.Done) terminal(probe.awaitTerminal(second))).usage();
        probe.awaitDrained();

        assertThat(one.tokensIn()).isPositive();
        assertThat(one.costUsd()).isCloseTo((one.tokensIn() * 1_000.0 + one.tokensOut() * 2_000.0) / 1e6, within());
        Map<String, String> usage = usageOf(first);
        assertThat(usage)
                .containsEntry("math:requests", "2")
                .containsEntry("math:tokens_in", String.valueOf(one.tokensIn() + two.tokensIn()))
                .containsEntry("math:tokens_out", String.valueOf(one.tokensOut() + two.tokensOut()));
        assertThat(Double.parseDouble(usage.get("math:cost_usd"))).isCloseTo(one.costUsd() + two.costUsd(), within());
        assertThat(Double.parseDouble(usage.get(RedisKeys.USAGE_TOTAL_COST_FIELD)))
                .isCloseTo(one.costUsd() + two.costUsd(), within());
        assertThat(probe.redis()
                        .ttl(RedisKeys.usageDay(
                                first.tenant(),
                                LocalDate.now(java.time.ZoneOffset.UTC).toString())))
                .isGreaterThan(Duration.ofDays(399).toSeconds());
    }

    @Test
    void jobsEndingTogetherAreCountedAndAcknowledgedTogether() {
        worker("w1", Duration.ofSeconds(10)).consumer().start();
        probe.awaitDrained();
        probe.redis().configResetstat();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            jobs.add(probe.submit("math", i + "+1"));
        }
        jobs.forEach(job -> assertThat(terminal(probe.awaitTerminal(job))).isInstanceOf(StreamEvent.Done.class));
        probe.awaitDrained();

        assertThat(usageOf(jobs.getFirst())).containsEntry("math:requests", "20");
        String stats = probe.redis().info("commandstats");
        // One SADD per request (the once-only guard); XACK and the sums once per batch.
        assertThat(calls(stats, "sadd")).isEqualTo(20);
        assertThat(calls(stats, "xack")).isLessThan(20);
        assertThat(calls(stats, "hincrby")).isLessThan(3 * 20);
    }

    private static long calls(String commandStats, String command) {
        java.util.regex.Matcher calls = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
                .matcher(commandStats);
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }

    @Test
    void theWorkerThatWroteDoneCountsItWithoutReadingTheRequestBack() {
        Parts parts = worker("w1", Duration.ofSeconds(10)); // not started: only the calls below reach Redis
        Job job = probe.submit("math", "4+4");
        probe.redis().configResetstat();

        parts.accounting().count(job, new Usage(3, 4, 0));
        parts.accounting().settle(List.of(job));

        String stats = probe.redis().info("commandstats");
        assertThat(stats).doesNotContain("cmdstat_hgetall").contains("cmdstat_evalsha:calls=1,");
        // Inside the script: SADD, HINCRBY requests, EXPIREAT day and guard (first of the day), two
        // HINCRBY for the tokens; nothing for a cost of 0.
        assertThat(stats).contains("cmdstat_sadd:calls=1,", "cmdstat_hincrby:calls=3,");
        assertThat(stats).doesNotContain("cmdstat_hincrbyfloat");
        assertThat(usageOf(job)).containsEntry("math:requests", "1").containsEntry("math:tokens_out", "4");
    }

    @Test
    void countsAReclaimedJobOnceWhenItsDeadWorkerHadWrittenDoneButNotCounted() {
        Job job = probe.submit("math", "6*7");
        JobQueue.ensureGroup(probe.redis(), Lane.INTERACTIVE);
        JobQueue.read(probe.redis(), Lane.INTERACTIVE, "dead-worker", 1, Duration.ofSeconds(2), false);
        // The dead worker wrote its done (with usage), then died before counting and acking.
        Usage reported = new Usage(7, 11, 0.5);
        assertThat(new EventLog(
                                probe.redis().getStatefulConnection(),
                                Duration.ofHours(1),
                                Duration.ofHours(2),
                                Clock.systemUTC())
                        .attempt(job.id(), 1, Duration.ZERO)
                        .finish(new StreamEvent.Done(reported, "stop"), "42")
                        .isInLog())
                .isTrue();

        Parts survivor = worker("survivor", Duration.ofSeconds(1));
        survivor.consumer().start();
        probe.awaitDrained(); // the survivor reclaimed it, found it done, counted it, acked it

        await().atMost(Duration.ofSeconds(10)).until(() -> usageOf(job).containsKey("math:requests"));
        survivor.accounting().settle(List.of(job)); // counting again (another reclaim, a retry) changes nothing
        assertThat(usageOf(job))
                .containsEntry("math:requests", "1")
                .containsEntry("math:tokens_in", "7")
                .containsEntry("math:tokens_out", "11");
        assertThat(Double.parseDouble(usageOf(job).get("math:cost_usd"))).isCloseTo(0.5, within());
    }

    @Test
    void countsAJobRunAgainAfterItsWorkerStoppedOnce() {
        Job job = probe.submit("diagnostic", "sleep 1500");
        Parts before = worker("same", Duration.ofSeconds(10));
        before.consumer().start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> probe.log(job.id()).stream().anyMatch(e -> e.type().equals("start")));
        before.consumer().stop(); // interrupted: left pending, no usage

        assertThat(usageOf(job)).isEmpty();
        worker("same", Duration.ofSeconds(10)).consumer().start();

        assertThat(terminal(probe.awaitTerminal(job))).isInstanceOf(StreamEvent.Done.class);
        probe.awaitDrained();
        await().atMost(Duration.ofSeconds(5)).until(() -> usageOf(job).containsKey("diagnostic:requests"));
        assertThat(usageOf(job)).containsEntry("diagnostic:requests", "1");
    }

    @Test
    void doesNotCountARequestThatEndedInError() {
        worker("w1", Duration.ofSeconds(10)).consumer().start();
        Job job = probe.submit("diagnostic", "fail");

        assertThat(terminal(probe.awaitTerminal(job))).isInstanceOf(StreamEvent.Error.class);
        probe.awaitDrained();

        assertThat(usageOf(job)).isEmpty();
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
