package dev.agentic.loadtest.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Time to first token through the running system, with baselines from the same run.
 *
 * <ul>
 *   <li>{@code math}: from sending the request to the first {@code event: token} read through
 *       Nginx; baseline: a round trip to the ingress's live endpoint through the same Nginx.
 *   <li>{@code general}: the same for an LLM answer; baseline: the LLM simulator's own first token,
 *       asked directly, so the difference is what the queue path adds.
 * </ul>
 *
 * Run against {@code bin/agentic up}: {@code bin/agentic bench} (or {@code java -cp
 * loadtest/target/loadtest-*[0-9T].jar dev.agentic.loadtest.bench.TtftBenchmark --runs=20
 * --key=$(cat .run/admin-key)}; {@code --key} defaults to {@code $AGENTIC_API_KEY}).
 */
public final class TtftBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private TtftBenchmark() {}

    public static void main(String[] args) throws Exception {
        String url = option(args, "url", "http://127.0.0.1:" + env("AGENTIC_PORT", "8080"));
        String llm = option(args, "llm", "http://127.0.0.1:" + env("AGENTIC_LLM_PORT", "8090") + "/v1");
        int runs = Integer.parseInt(option(args, "runs", "20"));
        int warmup = Integer.parseInt(option(args, "warmup", "5"));
        // The system's API key (bin/agentic passes the one it generated); never printed.
        String key = option(args, "key", env("AGENTIC_API_KEY", ""));

        System.out.printf(
                Locale.ROOT, "Time to first token, %d runs each after %d warm-up runs, sequential%n", runs, warmup);
        System.out.printf(Locale.ROOT, "system: %s   LLM simulator: %s%n%n", url, llm);
        String mathBody = "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}";
        Stats math = measure(runs, warmup, () -> firstToken(post(url + "/api/v1/query", mathBody, key)));
        Stats live = measure(runs, warmup, () -> roundTrip(URI.create(url + "/api/v1/monitoring/live")));
        String generalBody = "{\"query\":\"Tell me about queues\",\"agent_type\":\"general\"}";
        Stats general = measure(runs, warmup, () -> firstToken(post(url + "/api/v1/query", generalBody, key)));
        String llmBody =
                "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about queues\"}]}";
        Stats direct = measure(runs, warmup, () -> firstLlmChunk(post(llm + "/chat/completions", llmBody, "")));
        String chatBody =
                "{\"model\":\"general\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about queues\"}]}";
        Stats chat = measure(runs, warmup, () -> firstContentChunk(post(url + "/v1/chat/completions", chatBody, key)));
        Stats directContent =
                measure(runs, warmup, () -> firstContentChunk(post(llm + "/chat/completions", llmBody, "")));

        print("math TTFT via nginx", math);
        print("baseline: GET live via nginx", live);
        print("general TTFT via nginx", general);
        print("baseline: simulator TTFT direct", direct);
        print("general TTFT via /v1/chat/completions", chat);
        print("baseline: simulator first text chunk", directContent);
        System.out.printf(
                Locale.ROOT,
                "%nmath TTFT / live round trip (median): %.1fx (+%.2f ms)%n",
                math.median() / live.median(),
                math.median() - live.median());
        System.out.printf(
                Locale.ROOT,
                "general TTFT / direct LLM TTFT (median): %.2fx (+%.2f ms added by ingress, queue and worker)%n",
                general.median() / direct.median(),
                general.median() - direct.median());
        System.out.printf(
                Locale.ROOT,
                "chat completions TTFT (median): +%.2f ms over the simulator direct, %+.2f ms against /api/v1/query%n",
                chat.median() - directContent.median(),
                chat.median() - general.median());
    }

    interface Probe {
        double millis() throws Exception;
    }

    record Stats(List<Double> sorted) {
        double median() {
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        double percentile(double p) {
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
        }
    }

    static Stats measure(int runs, int warmup, Probe probe) throws Exception {
        for (int i = 0; i < warmup; i++) {
            probe.millis();
        }
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            samples.add(probe.millis());
        }
        Collections.sort(samples);
        return new Stats(List.copyOf(samples));
    }

    private static void print(String name, Stats stats) {
        System.out.printf(
                Locale.ROOT,
                "%-40s median %8.2f ms   p90 %8.2f ms   min %8.2f ms   max %8.2f ms%n",
                name,
                stats.median(),
                stats.percentile(0.9),
                stats.sorted().getFirst(),
                stats.sorted().getLast());
    }

    /** @param key sent as {@code Authorization: Bearer <key>} unless empty */
    private static HttpRequest post(String url, String body, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!key.isEmpty()) {
            request.header("Authorization", "Bearer " + key);
        }
        return request.build();
    }

    /** Milliseconds until the first {@code event: token} line; the rest of the stream is drained. */
    static double firstToken(HttpRequest request) throws IOException, InterruptedException {
        return untilLine(request, line -> line.equals("event: token"));
    }

    /** Milliseconds until the first OpenAI chunk with text (the role chunk's empty content aside). */
    static double firstContentChunk(HttpRequest request) throws IOException, InterruptedException {
        return untilLine(
                request,
                line -> line.startsWith("data: {")
                        && line.contains("\"content\":\"")
                        && !line.contains("\"content\":\"\""));
    }

    static double firstLlmChunk(HttpRequest request) throws IOException, InterruptedException {
        return untilLine(request, line -> line.startsWith("data: {") && line.contains("\"content\":\""));
    }

    private static double untilLine(HttpRequest request, java.util.function.Predicate<String> found)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + " from " + request.uri()
                    + (response.statusCode() == 401 ? " (give the API key: --key=... or AGENTIC_API_KEY)" : ""));
        }
        double millis = -1;
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (millis < 0 && found.test(line)) {
                    millis = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        if (millis < 0) {
            throw new IllegalStateException("no token in the stream from " + request.uri());
        }
        return millis;
    }

    static double roundTrip(URI uri) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + " from " + uri);
        }
        return (System.nanoTime() - start) / 1e6;
    }

    static String option(String[] args, String name, String fallback) {
        for (String arg : args) {
            if (arg.startsWith("--" + name + "=")) {
                return arg.substring(name.length() + 3);
            }
        }
        return fallback;
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
