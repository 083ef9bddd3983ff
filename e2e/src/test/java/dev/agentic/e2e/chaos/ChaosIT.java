package dev.agentic.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.e2e.chaos.ChaosReport.LogEntry;
import dev.agentic.e2e.chaos.FaultInjector.Fault;
import dev.agentic.model.EventId;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chaos suite (issue 3): many concurrent streaming requests through Nginx, two ingress
 * instances, three workers, Redis with AOF and the LLM simulator, all real processes, while workers,
 * an ingress and Redis are killed with SIGKILL and a worker is SIGSTOP'd, on a seeded schedule.
 * Clients resume with {@code Last-Event-ID} until their terminal event. {@link #runChaos} runs the
 * whole thing once; each test below is one check of its outcome, and the figures are printed (and
 * written to {@code e2e/target/chaos/<run>/figures.txt}). Size and seed: {@link ChaosConfig}; see
 * docs/chaos.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosIT {
    private static final int SHOWN = 5;

    private ChaosConfig config;
    private Path runDir;
    private ChaosCluster cluster;
    private FaultInjector injector;
    private ChaosReport report;
    private List<String> leaks = List.of();
    /** Requests in Redis whose id no client received (a POST answered 502 after it was enqueued). */
    private final List<String> orphans = new ArrayList<>();

    private long runStartNanos;

    @BeforeAll
    void runChaos() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("chaos.skip"), "chaos suite skipped (-Dchaos.skip=true)");
        config = ChaosConfig.fromSystemProperties();
        // Load now what the end of the run needs: a rebuild that replaces the project's jars in the
        // local repository during a long run must not make a class unloadable at the end.
        Objects.requireNonNull(RedisKeys.queue(Lane.INTERACTIVE) + EventId.ZERO + ScanArgs.Builder.limit(1));
        runDir = ChaosCluster.root()
                .resolve("e2e/target/chaos")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-seed"
                        + config.seed());
        Files.createDirectories(runDir);
        runStartNanos = System.nanoTime();
        say("chaos: " + config.describe());
        say("chaos: logs in " + runDir + " (queue " + RedisKeys.queue(Lane.INTERACTIVE) + ")");
        say("chaos: schedule " + FaultInjector.plan(config));

        cluster = new ChaosCluster(config, runDir, 2);
        say("chaos: stack up at " + cluster.url("/"));
        injector = new FaultInjector(cluster, config, this::say);

        ConcurrentLinkedQueue<RequestTrace> traces = new ConcurrentLinkedQueue<>();
        long windowStart = System.nanoTime();
        long windowEnd = windowStart + config.window().toNanos();
        List<Thread> clients = new ArrayList<>();
        List<ChaosClient> runners = new ArrayList<>();
        for (int i = 0; i < config.requests(); i++) {
            ChaosClient runner = new ChaosClient(i, cluster.url(""), config, windowEnd, traces::add);
            runners.add(runner);
            clients.add(Thread.ofVirtual().name("chaos-client-" + i).start(runner));
        }
        Thread progress = Thread.ofVirtual().start(() -> progress(traces));
        Thread watchdog = Thread.ofVirtual().start(() -> watchdog(runners));
        injector.run(windowStart);
        say("chaos: last fault injected; waiting for the clients");

        long joinDeadline = windowEnd
                + config.requestTimeout().toNanos()
                + Duration.ofSeconds(30).toNanos();
        for (Thread client : clients) {
            client.join(Duration.ofNanos(Math.max(1, joinDeadline - System.nanoTime())));
        }
        progress.interrupt();
        watchdog.interrupt();
        long stuck = clients.stream().filter(Thread::isAlive).count();
        if (stuck > 0) {
            say("chaos: " + stuck + " clients still running at the deadline; their requests count as lost");
        }
        injector.awaitReplacements(Duration.ofSeconds(60));
        List<RequestTrace> all = List.copyOf(traces);

        Map<String, List<LogEntry>> logs = new HashMap<>();
        Map<String, Long> redisFigures = new LinkedHashMap<>();
        readRedis(all, logs, redisFigures);

        List<ChaosCluster.Started> started = cluster.started();
        cluster.close();
        leaks = awaitGone(started, Duration.ofSeconds(20));

        report = new ChaosReport(config, all, injector.faults(), logs, id -> cluster.grepLogs(id, 20));
        List<String> figures = report.figures(leaks, redisFigures, injector.problems());
        say("chaos: figures");
        figures.forEach(line -> say("  " + line));
        Files.write(runDir.resolve("figures.txt"), figures, StandardCharsets.UTF_8);
        writeViolations();
    }

    @AfterAll
    void closeEverything() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void theFaultsWereInjectedUnderFullLoad() {
        assertThat(injector.problems())
                .as("faults that could not be injected or replacements that never came up")
                .isEmpty();
        assertThat(injector.faults()).as("faults injected").hasSize(config.faults());
        assertThat(report.accepted().size())
                .as("accepted requests (at least one per client)")
                .isGreaterThanOrEqualTo(config.requests());
    }

    @Test
    @Order(2)
    void everyAcceptedRequestEndsInDoneAndNoneIsLost() {
        check(ChaosReport.TERMINAL);
    }

    @Test
    @Order(3)
    void refusalsBeforeTheStreamAreRetryableStatusesAndEndWithTheFault() {
        check(ChaosReport.REFUSALS);
        check(ChaosReport.NEVER_ACCEPTED);
    }

    @Test
    @Order(4)
    void everyRequestLogHoldsExactlyOneTerminalEvent() {
        check(ChaosReport.ONE_TERMINAL);
    }

    @Test
    @Order(5)
    void eventIdsStrictlyIncreaseAcrossResumedSegmentsWithoutGaps() {
        check(ChaosReport.IDS);
    }

    @Test
    @Order(6)
    void everyAnswerWithRestartsDroppedIsTheUninterruptedAnswer() {
        check(ChaosReport.ANSWERS);
    }

    @Test
    @Order(7)
    void thePausedWorkerKeepsItsJobs() {
        assertThat(report.pauseFigures())
                .as("pauses with requests running on the paused worker")
                .allSatisfy(p -> assertThat(p.running()).isPositive());
        check(ChaosReport.PAUSE);
    }

    @Test
    @Order(8)
    void everyRestartFollowsAWorkerCrashOrARedisOutage() {
        check(ChaosReport.RECLAIMS);
    }

    @Test
    @Order(9)
    void aCrashedWorkersJobsRestartWithinTheReclaimBound() {
        check(ChaosReport.RECLAIM_TIME);
    }

    @Test
    @Order(10)
    void noProcessOutlivesTheSuite() {
        assertThat(leaks)
                .as("processes started by the suite still alive after it closed everything")
                .isEmpty();
    }

    private void check(String name) {
        List<String> violations = report.violations(name);
        assertThat(violations)
                .withFailMessage(
                        () -> name + ": " + violations.size() + " violations (seed " + config.seed() + ", logs in "
                                + runDir + ", all of them in violations.txt); the first ones:\n"
                                + violations.stream().limit(SHOWN).collect(Collectors.joining("\n\n")))
                .isEmpty();
    }

    private void readRedis(List<RequestTrace> all, Map<String, List<LogEntry>> logs, Map<String, Long> figures) {
        RedisClient client = RedisClient.create(RedisURI.create(cluster.redisUri()));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.setTimeout(Duration.ofSeconds(10));
            RedisCommands<String, String> redis = connection.sync();
            for (RequestTrace t : all) {
                String id = t.requestId();
                if (id == null) {
                    continue;
                }
                List<LogEntry> entries = new ArrayList<>();
                for (StreamMessage<String, String> m : redis.xrange(RedisKeys.events(id), Range.create("-", "+"))) {
                    entries.add(new LogEntry(
                            EventId.parse(m.getId()),
                            m.getBody().getOrDefault(RedisKeys.EVENT_TYPE_FIELD, "?"),
                            m.getBody().getOrDefault(RedisKeys.EVENT_DATA_FIELD, "")));
                }
                logs.put(id, entries);
            }
            long requestsInRedis = 0;
            for (ScanIterator<String> keys = ScanIterator.scan(
                            redis, ScanArgs.Builder.matches("agentic:req:*").limit(1000));
                    keys.hasNext(); ) {
                String key = keys.next();
                requestsInRedis++;
                String id = key.substring(key.indexOf('{') + 1, key.lastIndexOf('}'));
                if (!logs.containsKey(id) && orphans.size() < 50) {
                    orphans.add(id + " " + redis.hgetall(key) + " log: "
                            + redis.xrange(RedisKeys.events(id), Range.create("-", "+")).stream()
                                    .map(m -> m.getId() + " " + m.getBody())
                                    .collect(Collectors.joining(" | ")));
                }
            }
            figures.put("requests in Redis", requestsInRedis);
            figures.put("of which no client got the id", requestsInRedis - logs.size());
            String queue = RedisKeys.queue(Lane.INTERACTIVE);
            figures.put(
                    "jobs still pending (unacked)",
                    redis.xpending(queue, RedisKeys.WORKER_GROUP).getCount());
            // XINFO GROUPS: the lag Redis reports (admission control and KEDA read it); 0 when idle.
            for (Object group : redis.xinfoGroups(queue)) {
                List<?> fields = (List<?>) group;
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    if ("lag".equals(String.valueOf(fields.get(i))) && fields.get(i + 1) instanceof Long lag) {
                        figures.put("queue lag reported by Redis (0 when idle)", lag);
                    }
                }
            }
            figures.put("dead letters", redis.xlen(RedisKeys.DEAD_LETTERS));
        } catch (RuntimeException e) {
            say("chaos: could not read Redis after the run: " + e);
            figures.put("Redis unreadable after the run", 1L);
        } finally {
            client.shutdown();
        }
    }

    private static List<String> awaitGone(List<ChaosCluster.Started> started, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ChaosCluster.Started> alive = started;
        while (System.nanoTime() < deadline) {
            alive = alive.stream().filter(ChaosCluster.Started::isAlive).toList();
            if (alive.isEmpty()) {
                break;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return alive.stream().map(s -> s.name() + " (pid " + s.pid() + ")").toList();
    }

    private void progress(ConcurrentLinkedQueue<RequestTrace> traces) {
        try {
            while (true) {
                Thread.sleep(Duration.ofSeconds(10));
                List<RequestTrace> now = List.copyOf(traces);
                Map<RequestTrace.Outcome, Long> counts =
                        now.stream().collect(Collectors.groupingBy(RequestTrace::outcome, Collectors.counting()));
                long resumed = now.stream().filter(t -> t.resumes() > 0).count();
                say("chaos: requests " + now.size() + " " + counts + ", resumed " + resumed);
            }
        } catch (InterruptedException e) {
            // done
        }
    }

    private static void watchdog(List<ChaosClient> clients) {
        try {
            while (true) {
                Thread.sleep(Duration.ofMillis(500));
                long now = System.nanoTime();
                clients.forEach(c -> c.enforceDeadline(now));
            }
        } catch (InterruptedException e) {
            // done
        }
    }

    private void writeViolations() throws IOException {
        StringBuilder out = new StringBuilder();
        report.violations.forEach((check, list) -> {
            out.append("== ").append(check).append(": ").append(list.size()).append('\n');
            list.forEach(v -> out.append(v).append("\n\n"));
        });
        out.append("== faults\n");
        for (Fault f : injector.faults()) {
            out.append(f).append('\n');
        }
        out.append("== requests in Redis that no client got the id of (first 50)\n");
        orphans.forEach(o -> out.append(o).append('\n'));
        out.append("== the slowest recovery of each fault\n");
        for (ChaosReport.Recovery r : report.recoveries()) {
            out.append(ChaosReport.describe(r.fault()))
                    .append(": ")
                    .append(r.millis())
                    .append("ms\n")
                    .append(r.worst() == null ? "" : r.worst().story())
                    .append("\n\n");
        }
        Files.writeString(runDir.resolve("violations.txt"), out, StandardCharsets.UTF_8);
        // Every request a fault touched, for reading a run afterwards.
        StringBuilder touched = new StringBuilder();
        for (RequestTrace t : report.traces) {
            if (t.resumes() > 0
                    || t.outcome() != RequestTrace.Outcome.DONE
                    || t.frames().stream().anyMatch(f -> f.event().equals("restart"))
                    || t.attempts().size() > 2
                    || longestGapMillis(t) > 5000) {
                touched.append(t.story()).append("\n\n");
            }
        }
        Files.writeString(runDir.resolve("traces.txt"), touched, StandardCharsets.UTF_8);
    }

    private static long longestGapMillis(RequestTrace t) {
        List<RequestTrace.Seen> frames = t.frames();
        long longest = 0;
        for (int i = 1; i < frames.size(); i++) {
            longest = Math.max(
                    longest, (frames.get(i).atNanos() - frames.get(i - 1).atNanos()) / 1_000_000);
        }
        return longest;
    }

    private synchronized void say(String line) {
        String stamped = String.format("[%7.1fs] %s", (System.nanoTime() - runStartNanos) / 1e9, line);
        System.out.println(stamped);
        try {
            Files.writeString(
                    runDir.resolve("chaos.log"),
                    stamped + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
