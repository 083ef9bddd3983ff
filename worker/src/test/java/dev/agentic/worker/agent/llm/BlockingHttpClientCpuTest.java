package dev.agentic.worker.agent.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.FreePorts;
import dev.agentic.worker.agent.EventSink;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Process CPU per relayed token of the worker's LLM path (langchain4j's OpenAI model, {@link
 * LlmStream}, a sink that only counts) with langchain4j's JDK client and with {@link
 * BlockingHttpClient}, in one run against the LLM simulator in a process of its own, so this JVM's
 * CPU is the client side's. Prints figures, asserts none (issue 11 target: 50 us per token for the
 * whole worker). Run with {@code -Dagentic.bench=true -Dtest=BlockingHttpClientCpuTest}.
 */
@EnabledIfSystemProperty(named = "agentic.bench", matches = "true")
class BlockingHttpClientCpuTest {
    private static final int ROUNDS = 3;

    /**
     * A simulator's pace and the load on it: {@code burst} sends its tokens back to back (several
     * arrive in one read), {@code paced} one every 2 ms to 128 streams at once (as a busy worker
     * sees an LLM: a read and a wake-up per token).
     */
    private record Profile(String name, String interToken, int tokens, int concurrency, int warmUp, int streams) {}

    private static final List<Profile> PROFILES =
            List.of(new Profile("burst", "0ms", 200, 16, 400, 600), new Profile("paced", "2ms", 50, 128, 1280, 2560));

    @Test
    void printsProcessCpuPerTokenOfBothClients() throws Exception {
        for (Profile profile : PROFILES) {
            measure(profile);
        }
    }

    private static void measure(Profile profile) throws Exception {
        int port = FreePorts.next();
        Process simulator = startSimulator(port, profile);
        try {
            awaitListening(port);
            String baseUrl = "http://127.0.0.1:" + port + "/v1";
            Map<String, Supplier<HttpClientBuilder>> clients = new LinkedHashMap<>();
            clients.put(
                    "langchain4j JdkHttpClient",
                    () -> new JdkHttpClientBuilder()
                            .httpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)));
            clients.put("BlockingHttpClient", BlockingHttpClientBuilder::new);
            Map<String, LlmStream> streams = new LinkedHashMap<>();
            clients.forEach((name, builder) -> streams.put(name, llm(baseUrl, builder.get())));

            streams.forEach((name, llm) -> run(llm, profile, profile.warmUp()));
            Map<String, List<Double>> micros = new LinkedHashMap<>();
            for (int round = 0; round < ROUNDS; round++) {
                for (Map.Entry<String, LlmStream> entry : streams.entrySet()) {
                    micros.computeIfAbsent(entry.getKey(), k -> new ArrayList<>())
                            .add(cpuMicrosPerToken(entry.getValue(), profile));
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "%s: process CPU per token (%d streams x %d tokens, inter-token %s, %d at once, per round):%n",
                    profile.name(),
                    profile.streams(),
                    profile.tokens(),
                    profile.interToken(),
                    profile.concurrency());
            micros.forEach((name, values) -> System.out.printf(
                    Locale.ROOT,
                    "  %-26s median %6.1f us  rounds %s%n",
                    name,
                    values.stream().sorted().toList().get(values.size() / 2),
                    values.stream()
                            .map(v -> String.format(Locale.ROOT, "%.1f", v))
                            .toList()));
        } finally {
            simulator.destroy();
            simulator.waitFor();
        }
    }

    private static Process startSimulator(int port, Profile profile) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.agentic.loadtest.llmsim.LlmSimulator",
                        "--port=" + port,
                        "--ttft=0ms",
                        "--inter-token=" + profile.interToken(),
                        "--tokens=" + profile.tokens(),
                        "--max-concurrency=1024")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50); // a poll for the child process's port, not a timing assumption
            }
        }
        throw new AssertionError("the simulator did not listen on " + port + " within 30 s");
    }

    private static LlmStream llm(String baseUrl, HttpClientBuilder client) {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey("none")
                .modelName("sim-model")
                .maxTokens(512)
                .timeout(Duration.ofSeconds(30))
                .httpClientBuilder(client.connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(30)))
                .build();
        return new LlmStream(model, Duration.ofSeconds(30));
    }

    private static double cpuMicrosPerToken(LlmStream llm, Profile profile) {
        long before = processCpuNanos();
        long tokens = run(llm, profile, profile.streams());
        long cpu = processCpuNanos() - before;
        assertThat(tokens).isEqualTo((long) profile.streams() * profile.tokens());
        return cpu / 1e3 / tokens;
    }

    /** Streams {@code count} answers, the profile's concurrency at once on virtual threads; returns the tokens relayed. */
    private static long run(LlmStream llm, Profile profile, int count) {
        AtomicLong tokens = new AtomicLong();
        AtomicLong left = new AtomicLong(count);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < profile.concurrency(); i++) {
                workers.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        llm.stream(List.of(UserMessage.from("tell me a story")), new CountingSink(tokens));
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } catch (Exception e) {
            throw new AssertionError("a stream failed", e);
        }
        return tokens.get();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private record CountingSink(AtomicLong tokens) implements EventSink {
        @Override
        public void token(String text) {
            tokens.incrementAndGet();
        }

        @Override
        public void toolStart(String tool, String input) {}

        @Override
        public void toolEnd(String tool, String output) {}

        @Override
        public void toolCall(String id, String name, String arguments) {}

        @Override
        public void metadata(Map<String, Object> values) {}

        @Override
        public boolean isClosed() {
            return false;
        }
    }
}
