package dev.agentic.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RequestId;
import dev.agentic.testsupport.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The worker's liveness probe reports an agent that cannot be stopped, and answers while agents spin. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WorkerLivenessTest {
    private static RedisServer redisServer;
    private static RedisProbe probe;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @LocalServerPort
    int port;

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

    @DynamicPropertySource
    static void workerProperties(DynamicPropertyRegistry registry) {
        registry.add("agentic.redis.uri", () -> redisServer.uri());
        registry.add("agentic.worker.name", () -> "liveness-worker");
        registry.add("agentic.worker.diagnostic-agent", () -> "true");
        registry.add("agentic.worker.poll-timeout", () -> "500ms");
        registry.add("agentic.worker.concurrency", () -> "2");
        registry.add("agentic.worker.shutdown-grace", () -> "1s");
        registry.add("agentic.worker.stuck-grace", () -> "500ms");
        registry.add("agentic.worker.stuck-liveness-after", () -> "1s");
    }

    private int liveness() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health/liveness"))
                .timeout(Duration.ofSeconds(5)) // a hanging health check fails the test
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void reportsNotLiveWhileAnAgentIsStuckAndLiveAgainOnceItReturns() throws Exception {
        assertThat(liveness()).isEqualTo(200);
        long now = System.currentTimeMillis();
        Job spinning = probe.submit(new Job(
                1, RequestId.newId(), "t", "diagnostic", "spin 8000", null, Lane.INTERACTIVE, now, now + 1000, null));

        assertThat(RedisProbe.error(probe.awaitTerminal(spinning)).code()).isEqualTo("deadline_exceeded");
        await().atMost(Duration.ofSeconds(10)).until(() -> liveness() == 503);
        await().atMost(Duration.ofSeconds(20)).until(() -> liveness() == 200);
    }
}
