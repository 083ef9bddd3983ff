package dev.agentic.worker.consumer;

import static dev.agentic.worker.RedisProbe.first;
import static dev.agentic.worker.RedisProbe.terminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.StreamEvent;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.worker.RedisProbe;
import dev.agentic.worker.agent.AgentRegistry;
import dev.agentic.worker.agent.diagnostic.DiagnosticAgent;
import dev.agentic.worker.agent.math.MathAgent;
import dev.agentic.worker.config.WorkerProperties;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The consumer loop without Spring: several workers against one real redis-server. */
class JobConsumerTest {
    private static RedisServer redisServer;
    private static RedisProbe probe;

    private final List<Worker> workers = new ArrayList<>();

    /** One worker: its own client, connection, runner and consumer, as a worker process has. */
    private record Worker(RedisClient client, StatefulRedisConnection<String, String> connection, JobConsumer consumer)
            implements AutoCloseable {
        @Override
        public void close() {
            if (consumer.isRunning()) {
                consumer.stop();
            }
            connection.close();
            client.shutdown();
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
        RedisSettings settings = new RedisSettings(redisServer.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2));
        RedisClient client = settings.createClient();
        StatefulRedisConnection<String, String> connection = client.connect();
        EventLog events = new EventLog(connection, Duration.ofHours(1), Clock.systemUTC());
        AgentRegistry agents = new AgentRegistry(List.of(new MathAgent(), new DiagnosticAgent()));
        JobRunner runner = new JobRunner(events, agents, name, Clock.systemUTC(), new SimpleMeterRegistry());
        WorkerProperties.Worker config = new WorkerProperties.Worker(
                name,
                concurrency,
                List.of(Lane.INTERACTIVE, Lane.BATCH),
                Duration.ofMillis(300),
                Duration.ofMillis(200),
                Duration.ofHours(1),
                true);
        Worker worker = new Worker(client, connection, new JobConsumer(client, connection, runner, settings, config));
        workers.add(worker);
        return worker;
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
}
