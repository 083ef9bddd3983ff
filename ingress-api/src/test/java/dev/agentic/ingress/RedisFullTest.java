package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.ingress.web.ApiException;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.testsupport.SseClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With its own redis-server under {@code maxmemory-policy noeviction}, made full: Redis answers
 * {@code OOM} to every write, and the ingress must refuse with a clear 503, never a 500.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RedisFullTest {
    static final RedisServer REDIS = RedisServer.start(false, List.of("--maxmemory-policy", "noeviction"));
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("agentic.redis.uri", REDIS::uri);
        registry.add("agentic.security.bootstrap-key", () -> RedisBackedTest.ADMIN_KEY);
    }

    @AfterAll
    static void stop() {
        REDIS.close();
    }

    @Test
    void aFullRedisIsA503WithACodeNeverA500() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> streamStatus("1+1") == 200);
        setMaxMemory("1");
        try {
            for (HttpRequest refused : List.of(
                    post("/api/v1/query", "{\"query\":\"2+2\",\"agent_type\":\"math\"}", "text/event-stream"),
                    post("/api/v1/query", "{\"query\":\"3+3\",\"agent_type\":\"math\"}", "application/json"),
                    post("/api/v1/documents", "{\"id\":\"d1\",\"text\":\"some text\"}", "application/json"))) {
                HttpResponse<String> response = send(refused);
                assertThat(response.statusCode())
                        .as(refused.uri() + ": " + response.body())
                        .isEqualTo(503);
                assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
                assertThat(response.body()).contains("\"code\":\"redis_full\"", "\"retryable\":true");
                assertThat(response.headers().firstValue("retry-after")).isPresent();
            }
            assertThat(ApiException.redisFailure(lettuceWriteError()).code()).isEqualTo("redis_full");
        } finally {
            setMaxMemory("0");
        }
        assertThat(streamStatus("4+4")).isEqualTo(200);
    }

    /** The status of an SSE query, read without waiting for its (never coming) end. */
    private int streamStatus(String query) {
        try (SseClient.Stream stream = SseClient.post(
                "http://127.0.0.1:" + port + "/api/v1/query",
                "{\"query\":\"" + query + "\",\"agent_type\":\"math\"}",
                java.util.Map.of("Authorization", "Bearer " + RedisBackedTest.ADMIN_KEY))) {
            return stream.status();
        }
    }

    /** What Lettuce throws for a write to the full Redis (the path of the queue and request writes). */
    private static RuntimeException lettuceWriteError() {
        RedisClient client =
                new RedisSettings(REDIS.uri(), Duration.ofSeconds(5), Duration.ofSeconds(2)).createClient();
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().set("agentic:probe", "x");
            throw new AssertionError("a full Redis took a write");
        } catch (RedisException e) {
            return e;
        } finally {
            client.shutdown();
        }
    }

    private static void setMaxMemory(String value) {
        RedisClient client =
                new RedisSettings(REDIS.uri(), Duration.ofSeconds(5), Duration.ofSeconds(2)).createClient();
        try (StatefulRedisConnection<String, String> admin = client.connect()) {
            admin.sync().configSet("maxmemory", value);
        } finally {
            client.shutdown();
        }
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest post(String path, String json, String accept) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + RedisBackedTest.ADMIN_KEY)
                .header("Content-Type", "application/json")
                .header("Accept", accept)
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
    }
}
