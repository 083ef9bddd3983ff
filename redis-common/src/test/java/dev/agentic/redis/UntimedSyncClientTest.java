package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The synchronous API without its own timer behaves as Lettuce's: replies, errors, timeouts, interrupts, MULTI. */
class UntimedSyncClientTest {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(300);
    private static RedisServer server;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        client = new RedisSettings(server.uri(), COMMAND_TIMEOUT, Duration.ofSeconds(1)).createClient();
        connection = client.connect();
    }

    @AfterAll
    static void stop() {
        connection.close();
        client.shutdown();
        server.close();
    }

    @Test
    void answersAndFailsAsLettucesOwnSyncApi() {
        RedisCommands<String, String> redis = connection.sync();
        redis.set("untimed:a", "1");
        assertThat(redis.get("untimed:a")).isEqualTo("1");
        assertThat(redis.incrby("untimed:a", 4)).isEqualTo(5L);
        assertThat(redis.getStatefulConnection()).isSameAs(connection);
        assertThatThrownBy(() -> redis.hset("untimed:a", "f", "v"))
                .isInstanceOf(RedisCommandExecutionException.class)
                .hasMessageContaining("WRONGTYPE");
    }

    @Test
    void aCommandWithoutAReplyEndsAtTheCommandTimeout() {
        try (StatefulRedisConnection<String, String> own = client.connect()) {
            long start = System.nanoTime();
            // BLPOP would block for 5 s; the command expiry ends the wait at the 300 ms timeout.
            assertThatThrownBy(() -> own.sync().blpop(5, "untimed:empty"))
                    .isInstanceOf(RedisCommandTimeoutException.class);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMs)
                    .isGreaterThanOrEqualTo(COMMAND_TIMEOUT.toMillis())
                    .isLessThan(4_000);
        }
    }

    @Test
    void anInterruptedCallerStopsWaitingWithLettucesInterruptExceptionAndKeepsItsFlag() throws InterruptedException {
        try (StatefulRedisConnection<String, String> own = client.connect()) {
            own.setTimeout(Duration.ofSeconds(30)); // the interrupt, not the timeout, must end the wait
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    own.sync().blpop(20, "untimed:never");
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
                flag.set(Thread.currentThread().isInterrupted());
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> caller.getState() == Thread.State.WAITING);
            long start = System.nanoTime();
            caller.interrupt();
            caller.join(Duration.ofSeconds(10));
            assertThat(caller.isAlive()).isFalse();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
            assertThat(thrown.get()).isInstanceOf(RedisCommandInterruptedException.class);
            assertThat(flag.get()).isTrue();
        }
    }

    @Test
    void insideMultiCommandsAnswerWithExec() {
        try (StatefulRedisConnection<String, String> own = client.connect()) {
            RedisCommands<String, String> redis = own.sync();
            assertThat(redis.multi()).isEqualTo("OK");
            assertThat(redis.set("untimed:tx", "x")).isNull();
            assertThat(redis.get("untimed:tx")).isNull();
            TransactionResult result = redis.exec();
            assertThat(result.wasDiscarded()).isFalse();
            assertThat(result.<String>get(0)).isEqualTo("OK");
            assertThat(result.<String>get(1)).isEqualTo("x");
        }
    }
    /**
     * Prints the client CPU per command of Lettuce's timed wait and of this client's untimed one,
     * measured in the same run from 16 virtual threads (the figure docs/benchmarks.md cites). It
     * asserts that both answered, not which is cheaper: a shared machine's timings are no test.
     */
    @Test
    void printsTheClientCpuPerCommandOfBothWaitsInTheSameRun() throws InterruptedException {
        RedisClient lettuce = RedisClient.create(server.uri());
        lettuce.setOptions(io.lettuce.core.ClientOptions.builder()
                .timeoutOptions(io.lettuce.core.TimeoutOptions.enabled())
                .build());
        try (StatefulRedisConnection<String, String> timed = lettuce.connect();
                StatefulRedisConnection<String, String> untimed = client.connect()) {
            untimed.sync().set("untimed:bench", "v");
            for (int round = 0; round < 2; round++) { // the first round warms both up
                double timedCpu = cpuMicrosPerCommand(timed);
                double untimedCpu = cpuMicrosPerCommand(untimed);
                System.out.printf(
                        java.util.Locale.ROOT,
                        "sync GET, 16 virtual threads: Lettuce's timed wait %.1f us CPU/command, untimed %.1f (%.2fx)%n",
                        timedCpu,
                        untimedCpu,
                        untimedCpu / timedCpu);
            }
        } finally {
            lettuce.shutdown();
        }
    }

    private static double cpuMicrosPerCommand(StatefulRedisConnection<String, String> connection)
            throws InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        java.util.concurrent.atomic.AtomicLong commands = new java.util.concurrent.atomic.AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        long cpuBefore = os.getProcessCpuTime();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 16; t++) {
                threads.submit(() -> {
                    while (System.nanoTime() < end) {
                        assertThat(connection.sync().get("untimed:bench")).isEqualTo("v");
                        commands.incrementAndGet();
                    }
                });
            }
        }
        assertThat(commands.get()).isPositive();
        return (os.getProcessCpuTime() - cpuBefore) / 1000.0 / commands.get();
    }
}
