package dev.agentic.retrieval.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The embeddings protocol against a tiny in-process HTTP server that records what it receives. */
class OpenAiCompatibleEmbedderTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int DIMENSION = 3;

    /** How the fake server answers one request. */
    interface Answer {
        void respond(HttpExchange exchange, JsonNode request) throws IOException;
    }

    private record Received(String method, String path, Map<String, List<String>> headers, JsonNode body) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst())
                    .findFirst()
                    .orElse(null);
        }
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch releaseHeldRequests = new CountDownLatch(1);
    private volatile Answer answer = OpenAiCompatibleEmbedderTest::vectorsInOrder;
    private HttpServer server;
    private ExecutorService serverThreads;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            received.add(new Received(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    body));
            try {
                answer.respond(exchange, body);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        releaseHeldRequests.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Test
    void postsModelAndInputsWithTheBearerKeyToTheEmbeddingsPath() {
        Embedder embedder = embedder(settings("sk-test"));

        embedder.embedAll(List.of("first", "second"));

        assertThat(received).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/v1/embeddings");
            assertThat(request.header("Authorization")).isEqualTo("Bearer sk-test");
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.body().path("model").asString()).isEqualTo("test-embed");
            assertThat(request.body().path("input").values().stream().map(JsonNode::asString))
                    .containsExactly("first", "second");
            assertThat(request.body().path("encoding_format").asString()).isEqualTo("float");
        });
    }

    @Test
    void sendsNoAuthorizationWithoutAKey() {
        embedder(settings(null)).embed("text");

        assertThat(received)
                .singleElement()
                .satisfies(
                        request -> assertThat(request.header("Authorization")).isNull());
    }

    @Test
    void putsVectorsBackInInputOrderWhenTheServerReordersThem() {
        answer = (exchange, request) -> {
            int count = request.path("input").size();
            ObjectNode body = JSON.createObjectNode();
            ArrayNode data = body.putArray("data");
            for (int i = count - 1; i >= 0; i--) {
                data.add(item(i, new float[] {1, i, 0}));
            }
            send(exchange, 200, body.toString());
        };

        List<float[]> vectors = embedder(settings(null)).embedAll(List.of("a", "b", "c"));

        for (int i = 0; i < 3; i++) {
            assertThat(vectors.get(i)[1] / vectors.get(i)[0]).isCloseTo(i, within(1e-5f));
        }
    }

    @Test
    void normalisesTheVectorsItReceives() {
        answer = (exchange, request) -> send(exchange, 200, "{\"data\":[" + item(0, new float[] {3, 4, 0}) + "]}");

        float[] vector = embedder(settings(null)).embed("text");

        assertThat(vector).containsExactly(new float[] {0.6f, 0.8f, 0}, within(1e-6f));
    }

    @Test
    void splitsLongListsIntoBatchesOfTheConfiguredSize() {
        Embedder embedder = embedder(settings(null).withMaxBatchSize(2));

        List<float[]> vectors = embedder.embedAll(List.of("t0", "t1", "t2", "t3", "t4"));

        assertThat(vectors).hasSize(5);
        assertThat(received).extracting(r -> r.body().path("input").size()).containsExactly(2, 2, 1);
        assertThat(received.get(2).body().path("input").get(0).asString()).isEqualTo("t4");
    }

    @Test
    void treatsARejectedRequestAsFinal() {
        answer = (exchange, request) -> send(exchange, 400, "{\"error\":{\"message\":\"input too long\"}}");

        assertThatThrownBy(() -> embedder(settings("sk-secret")).embed("text"))
                .isExactlyInstanceOf(EmbeddingException.class)
                .hasMessageContaining("400")
                .hasMessageContaining("input too long")
                .hasMessageNotContaining("sk-secret")
                .satisfies(e -> assertThat(((EmbeddingException) e).retryable()).isFalse());
    }

    @Test
    void treatsRateLimitsAndServerErrorsAsRetryable() {
        for (int status : new int[] {429, 500, 503}) {
            answer = (exchange, request) -> send(exchange, status, "busy");

            assertThatThrownBy(() -> embedder(settings(null)).embed("text"))
                    .isInstanceOf(EmbeddingUnavailableException.class)
                    .hasMessageContaining(String.valueOf(status))
                    .satisfies(e ->
                            assertThat(((EmbeddingException) e).retryable()).isTrue());
        }
    }

    @Test
    void givesUpOnASilentServerAfterTheRequestTimeoutAsRetryable() {
        answer = (exchange, request) -> awaitRelease();
        Embedder embedder = embedder(settings(null).withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)));

        long started = System.nanoTime();
        assertThatThrownBy(() -> embedder.embed("text"))
                .isInstanceOf(EmbeddingUnavailableException.class)
                .hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void treatsAnUnreachableServerAsRetryable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/v1");

        assertThatThrownBy(() -> Embedder.openAiCompatible(OpenAiEmbeddingSettings.of(nowhere, "m", null, DIMENSION))
                        .embed("text"))
                .isInstanceOf(EmbeddingUnavailableException.class)
                .hasMessageContaining("unreachable");
    }

    @Test
    void refusesVectorsOfAnotherDimension() {
        answer = (exchange, request) -> send(exchange, 200, "{\"data\":[" + item(0, new float[] {1, 2}) + "]}");

        assertThatThrownBy(() -> embedder(settings(null)).embed("text"))
                .isExactlyInstanceOf(EmbeddingException.class)
                .hasMessageContaining("3 numbers, got 2");
    }

    @Test
    void refusesAnAnswerWithTooFewVectors() {
        answer = (exchange, request) -> send(exchange, 200, "{\"data\":[" + item(0, new float[] {1, 2, 3}) + "]}");

        assertThatThrownBy(() -> embedder(settings(null)).embedAll(List.of("a", "b")))
                .isExactlyInstanceOf(EmbeddingException.class)
                .hasMessageContaining("1 vectors for 2 texts");
    }

    @Test
    void refusesAnAnswerThatIsNotJson() {
        answer = (exchange, request) -> send(exchange, 200, "<html>proxy error</html>");

        assertThatThrownBy(() -> embedder(settings(null)).embed("text"))
                .isExactlyInstanceOf(EmbeddingException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void keepsTheKeyOutOfToString() {
        assertThat(settings("sk-secret").toString()).doesNotContain("sk-secret").contains("apiKey=(set)");
        assertThat(embedder(settings("sk-secret")).toString()).doesNotContain("sk-secret");
    }

    @Test
    void acceptsABaseUrlWithATrailingSlash() {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/");

        Embedder.openAiCompatible(OpenAiEmbeddingSettings.of(base, "test-embed", null, DIMENSION))
                .embed("text");

        assertThat(received).singleElement().extracting(Received::path).isEqualTo("/v1/embeddings");
    }

    private OpenAiEmbeddingSettings settings(String apiKey) {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
        return OpenAiEmbeddingSettings.of(base, "test-embed", apiKey, DIMENSION);
    }

    private static Embedder embedder(OpenAiEmbeddingSettings settings) {
        return Embedder.openAiCompatible(settings);
    }

    private static void vectorsInOrder(HttpExchange exchange, JsonNode request) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        for (int i = 0; i < request.path("input").size(); i++) {
            data.add(item(i, new float[] {1, i + 1, 2}));
        }
        body.put("model", request.path("model").asString());
        send(exchange, 200, body.toString());
    }

    private static ObjectNode item(int index, float[] vector) {
        ObjectNode item = JSON.createObjectNode();
        item.put("object", "embedding");
        item.put("index", index);
        ArrayNode embedding = item.putArray("embedding");
        for (float v : vector) {
            embedding.add(v);
        }
        return item;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void awaitRelease() {
        try {
            releaseHeldRequests.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
