package dev.agentic.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed-loop {@code math} JSON queries through Nginx from a few clients while a test changes the
 * stack, and what became of each: answered (200, or 202 and then read from its status once it
 * ended), refused before acceptance (429, 502, 503: nothing accepted, the client may retry), or
 * lost (accepted and never answered right, any other status, or no reply three times). Each
 * query has an Idempotency-Key, so a query whose connection closed without a reply is sent again
 * safely.
 */
final class QueryLoad implements AutoCloseable {
    /** An accepted request that did not end with its right answer, or an unexpected reply. */
    record Failure(int n, int status, String body) {}

    private final String base;
    private final String key;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger resent = new AtomicInteger();
    private final Map<Integer, Integer> refusedByStatus = new TreeMap<>();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();

    QueryLoad(String base, String key, int clientCount) {
        this.base = base;
        this.key = key;
        for (int c = 0; c < clientCount; c++) {
            clients.submit(this::loop);
        }
    }

    private void loop() {
        while (running.get()) {
            int n = sequence.incrementAndGet();
            try {
                HttpResponse<String> reply = send(n);
                String body = reply.body();
                int status = reply.statusCode();
                if (status == 202) {
                    body = ended(idOf(body));
                    status = 200;
                }
                if (status == 200 && body.contains("Result: " + (n + 2))) {
                    answered.incrementAndGet();
                } else if (status == 429 || status == 502 || status == 503) {
                    synchronized (refusedByStatus) {
                        refusedByStatus.merge(status, 1, Integer::sum);
                    }
                    Thread.sleep(100);
                } else {
                    failures.add(new Failure(n, status, body));
                }
            } catch (Exception e) {
                failures.add(new Failure(n, -1, e.toString()));
            }
        }
    }

    /**
     * Sends query {@code n} with its own {@code Idempotency-Key}; when the connection closes with no
     * reply (a keep-alive connection an Nginx worker closed as it was reloaded, a stopping
     * ingress), sends it again with the same key, as a client should: the key makes the retry
     * return the first request if it was accepted, never a second job.
     */
    private HttpResponse<String> send(int n) throws Exception {
        String key = "load-" + n + "-" + System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                return http.send(query(n, key), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                if (attempt == 3) {
                    throw e;
                }
                resent.incrementAndGet();
                Thread.sleep(200);
            }
        }
    }

    private HttpRequest query(int n, String idempotencyKey) {
        return HttpRequest.newBuilder(URI.create(base + "/api/v1/query"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .header("Authorization", "Bearer " + key)
                .header("Cache-Control", "no-cache")
                .timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"query\":\"What is " + n + " + 2?\",\"agent_type\":\"math\"}"))
                .build();
    }

    private String ended(String id) throws Exception {
        return ended(http, base, key, id);
    }

    /** The status of an accepted request once it has ended (GET /api/v1/queries/{id}), at most 90 s on. */
    static String ended(HttpClient http, String base, String key, String id) throws Exception {
        HttpRequest status = HttpRequest.newBuilder(URI.create(base + "/api/v1/queries/" + id))
                .header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(10))
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> reply = http.send(status, HttpResponse.BodyHandlers.ofString());
            if (reply.statusCode() == 200
                    && (reply.body().contains("\"status\":\"done\"")
                            || reply.body().contains("\"status\":\"error\""))) {
                return reply.body();
            }
            Thread.sleep(200);
        }
        return "never ended: " + id;
    }

    /** The request id in a reply (202 accepted, a job). */
    static String idOf(String json) {
        int start = json.indexOf("\"id\":\"") + 6;
        return json.substring(start, json.indexOf('"', start));
    }

    int answered() {
        return answered.get();
    }

    /** Queries sent again (same Idempotency-Key) after a connection closed with no reply. */
    int resent() {
        return resent.get();
    }

    Map<Integer, Integer> refused() {
        synchronized (refusedByStatus) {
            return Map.copyOf(refusedByStatus);
        }
    }

    List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** Stops sending and waits for every request in flight to end. */
    @Override
    public void close() {
        running.set(false);
        clients.shutdown();
        try {
            clients.awaitTermination(3, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
    }
}
