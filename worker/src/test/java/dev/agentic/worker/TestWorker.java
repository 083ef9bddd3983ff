package dev.agentic.worker;

import dev.agentic.model.Lane;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentRegistry;
import dev.agentic.worker.config.WorkerProperties;
import dev.agentic.worker.consumer.CancelWatcher;
import dev.agentic.worker.consumer.JobConsumer;
import dev.agentic.worker.consumer.JobRunner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * One worker as a worker process has it (its own client, connection, runner and consumer loop on
 * both lanes) without Spring, against a real redis-server; the agents may use the worker's
 * connection (for their Redis ports).
 */
public final class TestWorker implements AutoCloseable {
    private final RedisConnector connector;
    private final RedisLink connection;
    private final JobConsumer consumer;

    private TestWorker(RedisConnector connector, RedisLink connection, JobConsumer consumer) {
        this.connector = connector;
        this.connection = connection;
        this.consumer = consumer;
    }

    /** Starts a worker running the agents {@code agents} makes from the worker's Redis connection. */
    public static TestWorker start(String redisUri, String name, Function<RedisLink, List<Agent>> agents) {
        RedisSettings settings = new RedisSettings(redisUri, Duration.ofSeconds(2), Duration.ofSeconds(2));
        RedisConnector connector = new RedisConnector(settings);
        RedisLink connection = connector.connect();
        EventLog events = new EventLog(connection.sync(), Duration.ofHours(1), Duration.ofHours(2), Clock.systemUTC());
        CancelWatcher cancels = new CancelWatcher(connector);
        JobRunner runner = new JobRunner(
                events,
                new AgentRegistry(agents.apply(connection)),
                cancels,
                name,
                Duration.ofSeconds(5),
                Clock.systemUTC(),
                new SimpleMeterRegistry(),
                JobRunner.Services.NONE);
        WorkerProperties.Worker config = new WorkerProperties.Worker(
                name,
                2,
                List.of(Lane.INTERACTIVE, Lane.BATCH),
                Duration.ofMillis(300),
                Duration.ofMillis(200),
                Duration.ofHours(1),
                false,
                Duration.ofSeconds(10),
                5,
                Duration.ofSeconds(5),
                Duration.ofHours(2),
                3);
        JobConsumer consumer =
                new JobConsumer(connector, connection, runner, cancels, config, new SimpleMeterRegistry());
        consumer.start();
        return new TestWorker(connector, connection, consumer);
    }

    public boolean isRunning() {
        return consumer.isRunning();
    }

    @Override
    public void close() {
        if (consumer.isRunning()) {
            consumer.stop();
        }
        connection.close();
        connector.close();
    }
}
