package dev.agentic.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.redis.EventLog;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Two ingress instances behind a real Nginx, two workers, Redis and the LLM simulator, as processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class EndToEndIT {
    private Stack stack;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start() {
        stack = new Stack(2, 2);
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void mathQueryStreamsTokenByTokenThroughNginxAndEndsInDone() {
        List<Frame> frames = stream("{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}");

        assertThat(frames).extracting(Frame::event).startsWith("queued").endsWith("done");
        assertThat(frames)
                .extracting(Frame::event)
                .containsSubsequence("start", "tool_start", "tool_end", "token", "done");
        List<Frame> tokens =
                frames.stream().filter(f -> f.event().equals("token")).toList();
        assertThat(tokens).as("the answer arrives as several token events").hasSizeGreaterThan(2);
        assertThat(text(tokens)).contains("Result: 4");
        assertThat(frames).allSatisfy(f -> assertThat(f.id()).isNotBlank());
        assertThat(frames).extracting(Frame::id).doesNotHaveDuplicates();
    }

    @Test
    void originalLoadTestGets200WithTheAnswerWithinFiveSeconds() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(stack.url("/api/v1/query")))
                        .header("Authorization", "Bearer " + Stack.ADMIN_KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"query\": \"What is 2+2?\", \"agent_type\": \"math\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"answer\":\"Expression: 2+2\\nResult: 4\"", "\"agent_type\":\"math\"");
        // The original system's own acceptance criterion.
        assertThat(took).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void generalQueryStreamsTheSimulatorsTokensInOrder() {
        List<Frame> frames = stream("{\"query\":\"Tell me about queues\",\"agent_type\":\"general\"}");

        List<Frame> tokens =
                frames.stream().filter(f -> f.event().equals("token")).toList();
        String expected = IntStream.range(0, 20).mapToObj(i -> "sim" + i + " ").collect(Collectors.joining());
        // The first token comes on its own; later ones arriving within the worker's coalescing
        // window may come merged, with the text exact and in order.
        assertThat(tokens.getFirst().data()).isEqualTo("{\"text\":\"sim0 \"}");
        assertThat(tokens).hasSizeBetween(2, 20);
        assertThat(text(tokens)).isEqualTo(expected);
        assertThat(frames.getLast().event()).isEqualTo("done");
        assertThat(frames.getLast().data()).contains("\"tokens_out\":20");
    }

    @Test
    void bothWorkersTakeJobsFromTheConsumerGroup() {
        List<CompletableFuture<List<Frame>>> running = IntStream.range(0, 8)
                .mapToObj(i -> CompletableFuture.supplyAsync(
                        () -> stream("{\"query\":\"sleep 400\",\"agent_type\":\"diagnostic\"}")))
                .toList();
        Set<String> workers = running.stream()
                .map(CompletableFuture::join)
                .peek(frames -> assertThat(frames.getLast().event()).isEqualTo("done"))
                .flatMap(List::stream)
                .filter(f -> f.event().equals("start"))
                .map(f -> f.data().replaceAll(".*\"worker\":\"([^\"]+)\".*", "$1"))
                .collect(Collectors.toSet());
        assertThat(workers).containsExactlyInAnyOrder("worker-1", "worker-2");
    }

    @Test
    void aFailingAgentEndsInErrorAndTheNextJobSucceeds() {
        List<Frame> failed = stream("{\"query\":\"fail\",\"agent_type\":\"diagnostic\"}");
        assertThat(failed.getLast().event()).isEqualTo("error");
        assertThat(failed.getLast().data()).contains("\"code\":\"agent_failed\"");
        assertThat(failed).extracting(Frame::event).doesNotContain("done");

        List<Frame> next = stream("{\"query\":\"What is 6*7?\",\"agent_type\":\"math\"}");
        assertThat(next.getLast().event()).isEqualTo("done");
        assertThat(text(next.stream().filter(f -> f.event().equals("token")).toList()))
                .contains("42");
    }

    @Test
    void aJobInANewerWireFormatIsProcessedByTheCurrentWorker() throws Exception {
        long now = System.currentTimeMillis();
        String id = RequestId.newId();
        Job job = new Job(2, id, "public", "math", "What is 3*3?", null, Lane.INTERACTIVE, now, now + 60_000, null);
        new EventLog(stack.connection, Duration.ofMinutes(10), Duration.ofMinutes(20), Clock.systemUTC()).open(job);
        String newer = """
                {"v":2,"id":"%s","tenant":"public","agent":"math","query":"What is 3*3?","lane":"INTERACTIVE",
                 "created_at_ms":%d,"deadline_ms":%d,"priority":"high","routing":{"region":"eu","hops":[1,2]}}""".formatted(id, now, now + 60_000);
        stack.connection.sync().xadd(RedisKeys.queue(Lane.INTERACTIVE), Map.of("v", "2", "job", newer));

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> status = http.send(
                    HttpRequest.newBuilder(URI.create(stack.url("/api/v1/queries/" + id)))
                            .header("Authorization", "Bearer " + Stack.ADMIN_KEY)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.body()).contains("\"status\":\"done\"", "Result: 9");
        });
    }

    @Test
    void throughNginxEveryQueryNeedsAKeyAndMetricsAreNotPublic() throws Exception {
        HttpResponse<String> anonymous = http.send(
                HttpRequest.newBuilder(URI.create(stack.url("/api/v1/query")))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"1+1\",\"agent_type\":\"math\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"agentic\"");
        assertThat(anonymous.body()).contains("\"code\":\"unauthorized\"");

        // Including the spellings Tomcat would map to the actuator: path parameters, no trailing slash.
        // The ingress maps a parameter on an earlier segment to the admin API: Nginx must refuse it.
        HttpRequest.Builder sideDoor = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + stack.ingressPorts.getFirst() + "/api/v1;x/admin/keys"));
        Stack.auth().forEach(sideDoor::header);
        assertThat(http.send(sideDoor.build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .as("the ingress's own answer to /api/v1;x/admin/keys")
                .isEqualTo(200);
        HttpRequest.Builder viaNginx = HttpRequest.newBuilder(URI.create(stack.url("/api/v1;x/admin/keys")));
        Stack.auth().forEach(viaNginx::header);
        assertThat(http.send(viaNginx.build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .as("Nginx's")
                .isEqualTo(404);
        for (String path : List.of(
                "/actuator/prometheus",
                "/actuator",
                "/actuator;x/prometheus",
                "/actuator;/health",
                "/;x/actuator/health")) {
            HttpResponse<String> metrics = http.send(
                    HttpRequest.newBuilder(URI.create(stack.url(path))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).as(path).isEqualTo(404);
            assertThat(metrics.body()).as(path).contains("\"code\":\"not_found\"");
        }
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(stack.url("/api/v1/monitoring/ready")))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(200);
    }

    private List<Frame> stream(String body) {
        try (SseClient.Stream stream = SseClient.post(stack.url("/api/v1/query"), body, Stack.auth())) {
            assertThat(stream.status())
                    .as(() -> stream.bodyText() + stack.logs())
                    .isEqualTo(200);
            return stream.drain();
        }
    }

    private static String text(List<Frame> tokens) {
        return tokens.stream()
                .map(f -> f.data().replaceAll("^\\{\"text\":\"(.*)\"}$", "$1").replace("\\n", "\n"))
                .collect(Collectors.joining());
    }
}
