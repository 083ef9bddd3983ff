package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.RedisServer;
import dev.agentic.testsupport.SseClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With its own Redis, which the test kills and restarts. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RedisOutageTest {
    static final RedisServer REDIS = RedisServer.start(true, java.util.List.of());
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("agentic.redis.uri", REDIS::uri);
        registry.add("agentic.security.bootstrap-key", () -> RedisBackedTest.ADMIN_KEY);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + RedisBackedTest.ADMIN_KEY);
    }

    @AfterAll
    static void stop() {
        REDIS.close();
    }

    @Test
    void answers503QuicklyWhileRedisIsDownAndRecoversAfterwards() throws Exception {
        assertThat(send(get("/api/v1/monitoring/ready")).statusCode()).isEqualTo(200);
        REDIS.kill();
        try {
            long start = System.nanoTime();
            HttpResponse<String> refused = send(post());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
            assertThat(refused.body()).contains("\"code\":\"redis_unavailable\"", "\"retryable\":true");
            // Generous bound: the point is "no hang", not a latency figure.
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(send(get("/api/v1/monitoring/ready")).statusCode()).isEqualTo(503);
            assertThat(send(get("/api/v1/monitoring/live")).statusCode()).isEqualTo(200);
        } finally {
            REDIS.restart();
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> send(get("/api/v1/monitoring/ready")).statusCode() == 200);
        // Queries are accepted again: the limiter's script runs on the reconnected shared connection.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (SseClient.Stream stream = SseClient.post(
                    "http://127.0.0.1:" + port + "/api/v1/query",
                    "{\"query\":\"1+1\",\"agent_type\":\"math\"}",
                    java.util.Map.of("Authorization", "Bearer " + RedisBackedTest.ADMIN_KEY))) {
                return stream.status() == 200;
            }
        });
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest get(String path) {
        return request(path).build();
    }

    private HttpRequest post() {
        return request("/api/v1/query")
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"1+1\",\"agent_type\":\"math\"}"))
                .build();
    }
}
