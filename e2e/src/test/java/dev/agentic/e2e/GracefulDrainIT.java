package dev.agentic.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.testsupport.ServiceProcess;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SIGTERM to a worker or an ingress process: nothing is lost, nothing completes twice. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GracefulDrainIT {
    private Stack stack;

    @BeforeEach
    void start() {
        stack = new Stack(2, 2);
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    @Test
    void aWorkerStoppedWithSigtermFinishesItsRunningJobsAndTakesNoNewOnes() throws Exception {
        List<CompletableFuture<List<Frame>>> streams = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            streams.add(CompletableFuture.supplyAsync(
                    () -> stream("{\"query\":\"sleep 3000\",\"agent_type\":\"diagnostic\"}")));
        }
        ServiceProcess worker = stack.workers.get(0);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> runningOn("worker-1") > 0);

        assertThat(worker.terminate(Duration.ofSeconds(60)))
                .as("worker exits within its grace")
                .isTrue();

        for (CompletableFuture<List<Frame>> stream : streams) {
            List<Frame> frames = stream.get(60, TimeUnit.SECONDS);
            assertThat(frames.getLast().event()).isEqualTo("done");
            assertThat(frames)
                    .extracting(Frame::event)
                    .doesNotContain("restart")
                    .containsOnlyOnce("done");
        }
        List<Frame> after = stream("{\"query\":\"What is 1+1?\",\"agent_type\":\"math\"}");
        assertThat(after.getLast().event()).isEqualTo("done");
        assertThat(after)
                .filteredOn(f -> f.event().equals("start"))
                .singleElement()
                .satisfies(f -> assertThat(f.data()).contains("worker-2"));
    }

    @Test
    void anIngressStoppedWithSigtermEndsItsStreamsSoClientsResumeElsewhere() throws Exception {
        List<SseClient.Stream> open = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SseClient.Stream stream = SseClient.post(
                    stack.url("/api/v1/query"),
                    "{\"query\":\"sleep 4000\",\"agent_type\":\"diagnostic\"}",
                    Stack.auth());
            open.add(stream);
            ids.add(stream.header("x-request-id"));
        }
        stack.ingresses.get(0).terminate(Duration.ofSeconds(30));

        for (int i = 0; i < open.size(); i++) {
            List<Frame> first = open.get(i).drain();
            Frame last = first.getLast();
            if (last.event().equals("done")) {
                continue; // this stream was served by the other instance
            }
            assertThat(last.event()).isEqualTo("error");
            assertThat(last.id())
                    .as("the ingress's own frame, not from the log")
                    .isNull();
            assertThat(last.data()).contains("\"code\":\"shutting_down\"", "\"retryable\":true");
            String lastId = first.stream()
                    .map(Frame::id)
                    .filter(id -> id != null)
                    .reduce((a, b) -> b)
                    .orElse("0-0");
            try (SseClient.Stream resumed = SseClient.get(
                    stack.url("/api/v1/queries/" + ids.get(i) + "/events"),
                    Stack.auth(Map.of("Last-Event-ID", lastId)))) {
                assertThat(resumed.status()).isEqualTo(200);
                List<Frame> rest = resumed.drain();
                assertThat(rest.getLast().event()).isEqualTo("done");
                assertThat(rest)
                        .extracting(Frame::id)
                        .allSatisfy(id -> assertThat(id).isGreaterThan(lastId));
            }
        }
        open.forEach(SseClient.Stream::close);
    }

    private long runningOn(String worker) {
        return stack.connection
                .sync()
                .xpending(RedisKeys.queue(Lane.INTERACTIVE), RedisKeys.WORKER_GROUP)
                .getConsumerMessageCount()
                .getOrDefault(worker, 0L);
    }

    private List<Frame> stream(String body) {
        try (SseClient.Stream stream = SseClient.post(stack.url("/api/v1/query"), body, Stack.auth())) {
            assertThat(stream.status()).isEqualTo(200);
            return stream.drain();
        }
    }
}
