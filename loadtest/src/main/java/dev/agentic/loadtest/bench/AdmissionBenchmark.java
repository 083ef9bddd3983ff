package dev.agentic.loadtest.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Admission overhead per request: what the checks before a query is accepted cost (API key,
 * budget and rate, the tenant's stream permit, queue depth), as the ingress instances measure them
 * ({@code agentic.ingress.admission} timers, p50 and p99 per check and in total), while this
 * program sends sequential JSON math queries through Nginx with the response cache off and a daily
 * budget set (so every check runs). Baselines from the same run: a Redis {@code PING} round trip,
 * and the whole request as the client sees it.
 *
 * <p>Against {@code bin/agentic up}: {@code bin/agentic bench admission} (or {@code java -cp
 * loadtest/target/loadtest-*[0-9T].jar dev.agentic.loadtest.bench.AdmissionBenchmark
 * --requests=2000 --ingresses=http://127.0.0.1:8081,http://127.0.0.1:8082 --redis=127.0.0.1:6390
 * --key=$(cat .run/admin-key)}).
 */
public final class AdmissionBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final Pattern QUANTILE = Pattern.compile(
            "^agentic_ingress_admission_seconds\\{(?=.*check=\"(\\w+)\")(?=.*quantile=\"([0-9.]+)\").*} ([0-9.eE+-]+)$");

    private AdmissionBenchmark() {}

    public static void main(String[] args) throws Exception {
        String url = TtftBenchmark.option(args, "url", "http://127.0.0.1:" + TtftBenchmark.env("AGENTIC_PORT", "8080"));
        List<String> ingresses =
                List.of(TtftBenchmark.option(args, "ingresses", "http://127.0.0.1:8081,http://127.0.0.1:8082")
                        .split(","));
        String[] redis = TtftBenchmark.option(args, "redis", "127.0.0.1:6390").split(":");
        int requests = Integer.parseInt(TtftBenchmark.option(args, "requests", "2000"));
        String key = TtftBenchmark.option(args, "key", TtftBenchmark.env("AGENTIC_API_KEY", ""));

        System.out.printf(
                Locale.ROOT,
                "Admission overhead: %d sequential JSON math queries through %s (cache off, daily budget set)%n%n",
                requests,
                url);
        setDailyBudget(url, key, "1000000");
        try {
            TtftBenchmark.Stats ping =
                    TtftBenchmark.measure(2000, 200, () -> redisPing(redis[0], Integer.parseInt(redis[1])));
            int[] n = {0};
            TtftBenchmark.Stats whole = TtftBenchmark.measure(requests, 0, () -> query(url, key, n[0]++));

            System.out.printf(
                    Locale.ROOT,
                    "%-40s p50 %8.3f ms   p99 %8.3f ms%n",
                    "baseline: Redis PING round trip",
                    ping.median(),
                    ping.percentile(0.99));
            System.out.printf(
                    Locale.ROOT,
                    "%-40s p50 %8.3f ms   p99 %8.3f ms%n%n",
                    "whole request (client, via nginx)",
                    whole.median(),
                    whole.percentile(0.99));
            for (String ingress : ingresses) {
                Map<String, double[]> checks = scrape(ingress.strip());
                System.out.println("ingress " + ingress.strip() + " (server-side timers):");
                checks.forEach((check, q) ->
                        System.out.printf(Locale.ROOT, "  %-10s p50 %8.3f ms   p99 %8.3f ms%n", check, q[0], q[1]));
                double[] total = checks.get("total");
                if (total != null) {
                    System.out.printf(
                            Locale.ROOT,
                            "  total p50 = %.1f Redis round trips, %.1f%% of the whole request's p50%n",
                            total[0] / ping.median(),
                            100 * total[0] / whole.median());
                }
            }
        } finally {
            setDailyBudget(url, key, "null");
        }
    }

    private static double query(String url, String key, int n) throws IOException, InterruptedException {
        String body = "{\"query\":\"" + n + " + 1\",\"agent_type\":\"math\",\"cache\":false}";
        long start = System.nanoTime();
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url + "/api/v1/query"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static void setDailyBudget(String url, String key, String usd) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url + "/api/v1/admin/limits"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + key)
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"daily_budget_usd\":" + usd + "}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("setting the budget: HTTP " + response.statusCode()
                    + (response.statusCode() == 401 ? " (give an admin key: --key=... or AGENTIC_API_KEY)" : ""));
        }
    }

    /** One RESP {@code PING} on a fresh connection's reuse: milliseconds until {@code +PONG}. */
    private static double redisPing(String host, int port) throws IOException {
        Socket socket = PING_SOCKETS.get();
        if (socket == null || socket.isClosed()) {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            PING_SOCKETS.set(socket);
        }
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        long start = System.nanoTime();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] reply = new byte[7];
        int read = 0;
        while (read < reply.length) {
            int got = in.read(reply, read, reply.length - read);
            if (got < 0) {
                throw new IOException("Redis closed the connection");
            }
            read += got;
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static final ThreadLocal<Socket> PING_SOCKETS = new ThreadLocal<>();

    /** check -> {p50 ms, p99 ms} from the instance's Prometheus scrape. */
    private static Map<String, double[]> scrape(String ingress) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(ingress + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, double[]> checks = new TreeMap<>();
        for (String line : response.body().split("\n")) {
            Matcher m = QUANTILE.matcher(line);
            if (m.matches()) {
                double[] q = checks.computeIfAbsent(m.group(1), c -> new double[2]);
                q[m.group(2).startsWith("0.5") ? 0 : 1] = Double.parseDouble(m.group(3)) * 1000;
            }
        }
        return checks;
    }
}
