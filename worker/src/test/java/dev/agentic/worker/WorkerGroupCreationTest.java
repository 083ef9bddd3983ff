package dev.agentic.worker;

import static dev.agentic.worker.RedisProbe.terminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.StreamEvent;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A worker whose Redis refuses to create the consumer group for a while (here: an ACL user without
 * XGROUP; in production: the moments after a Redis restart). The loop must keep trying, not die.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WorkerGroupCreationTest {
    private static final String USER = "worker";
    private static final String PASSWORD = "worker-secret";

    private static RedisServer redisServer;
    private static RedisProbe probe;

    @BeforeAll
    static void startRedisWithWorkerUserThatCannotCreateGroups() {
        redisServer = RedisServer.start();
        probe = new RedisProbe(redisServer.uri());
        probe.redis()
                .aclSetuser(
                        USER,
                        AclSetuserArgs.Builder.on()
                                .addPassword(PASSWORD)
                                .allKeys()
                                .allChannels()
                                .allCommands()
                                .removeCommand(CommandType.XGROUP));
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

    @DynamicPropertySource
    static void workerProperties(DynamicPropertyRegistry registry) {
        registry.add(
                "agentic.redis.uri", () -> "redis://" + USER + ":" + PASSWORD + "@127.0.0.1:" + redisServer.port());
        registry.add("agentic.worker.name", () -> "acl-worker");
        registry.add("agentic.worker.poll-timeout", () -> "500ms");
        registry.add("agentic.worker.shutdown-grace", () -> "2s");
    }

    @Test
    void keepsTryingToCreateItsGroupUntilRedisLetsIt() {
        // The first refusal comes with the connection, the second after XREADGROUP answered NOGROUP.
        await("two refused XGROUP CREATE").atMost(Duration.ofSeconds(10)).until(() -> refusedGroupCreations() >= 2);

        probe.redis().aclSetuser(USER, AclSetuserArgs.Builder.addCommand(CommandType.XGROUP));

        await("worker creates its consumer group")
                .atMost(Duration.ofSeconds(10))
                .until(() -> probe.group(Lane.INTERACTIVE).isPresent());
        Job job = probe.submit("math", "What is 2+2?");
        assertThat(terminal(probe.awaitTerminal(job))).isInstanceOf(StreamEvent.Done.class);
        probe.awaitDrained();
        probe.assertEveryRequestEndedOnce();
    }

    private static long refusedGroupCreations() {
        return probe.redis().aclLog().stream()
                .filter(entry -> String.valueOf(entry.get("object")).startsWith("xgroup"))
                .mapToLong(entry -> ((Number) entry.get("count")).longValue())
                .sum();
    }
}
