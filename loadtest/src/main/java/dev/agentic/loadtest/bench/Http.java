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
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The benchmark's client side: JSON calls and SSE streams over one JDK {@link HttpClient} (HTTP/1.1,
 * a connection per concurrent call) whose work runs on virtual threads, so thousands of streams
 * cost a socket each and no platform thread.
 */
final class Http {
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    private Http() {}

    /** An SSE frame: its {@code id:}, {@code event:} and {@code data:} lines. */
    record Event(@Nullable String id, String type, String data) {}

    /**
     * What one stream delivered: the HTTP status, nanoseconds from sending to the first {@code
     * token} (or -1), the events in order, and what failed ("" when nothing).
     */
    record StreamResult(int status, long firstTokenNanos, List<Event> events, long endNanos, String failure) {
        String text() {
            StringBuilder text = new StringBuilder();
            for (Event event : events) {
                if (event.type().equals("token")) {
                    text.append(Bench.jsonText(event.data()));
                }
            }
            return text.toString();
        }

        long tokenEvents() {
            return events.stream().filter(e -> e.type().equals("token")).count();
        }

        @Nullable
        Event terminal() {
            Event last = null;
            for (Event event : events) {
                if (event.type().equals("done") || event.type().equals("error")) {
                    last = event;
                }
            }
            return last;
        }

        long terminals() {
            return events.stream()
                    .filter(e -> e.type().equals("done") || e.type().equals("error"))
                    .count();
        }

        /** Event ids strictly increasing ({@code <millis>-<seq>}): nothing reordered or duplicated. */
        boolean idsIncrease() {
            long[] last = {-1, -1};
            for (Event event : events) {
                String id = event.id();
                if (id == null) {
                    continue;
                }
                int dash = id.indexOf('-');
                long millis = Long.parseLong(id.substring(0, dash));
                long seq = Long.parseLong(id.substring(dash + 1));
                if (millis < last[0] || (millis == last[0] && seq <= last[1])) {
                    return false;
                }
                last[0] = millis;
                last[1] = seq;
            }
            return true;
        }
    }

    static HttpRequest.Builder request(String url, String key) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30));
        if (!key.isEmpty()) {
            builder.header("Authorization", "Bearer " + key);
        }
        return builder;
    }

    /** A query as SSE ({@code Accept: text/event-stream}), the response cache off for it. */
    static HttpRequest streamQuery(String base, String key, String body) {
        return request(base + "/api/v1/query", key)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .header("Cache-Control", "no-cache")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** A query answered as JSON, the response cache off for it. */
    static HttpRequest jsonQuery(String base, String key, String body) {
        return request(base + "/api/v1/query", key)
                .header("Content-Type", "application/json")
                .header("Cache-Control", "no-cache")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /**
     * Sends and reads the SSE stream to its end (or until {@code stop} says so, checked per line).
     * Token events are marked with the time they were read. Never throws: failures are in the result.
     */
    static StreamResult stream(HttpRequest request, BooleanSupplier stop) {
        long start = System.nanoTime();
        List<Event> events = new ArrayList<>();
        long firstToken = -1;
        int status = 0;
        try {
            HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                if (status != 200) {
                    String body = reader.lines().reduce("", String::concat);
                    return new StreamResult(
                            status, -1, events, System.nanoTime() - start, "HTTP " + status + " " + body);
                }
                String id = null;
                String type = "message";
                StringBuilder data = new StringBuilder();
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.isEmpty()) {
                        if (!data.isEmpty()) {
                            events.add(new Event(id, type, data.toString()));
                            if (firstToken < 0 && type.equals("token")) {
                                firstToken = System.nanoTime() - start;
                            }
                        }
                        id = null;
                        type = "message";
                        data.setLength(0);
                        if (stop.getAsBoolean()) {
                            break;
                        }
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).strip();
                    } else if (line.startsWith("event:")) {
                        type = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
                    }
                }
            }
            return new StreamResult(status, firstToken, events, System.nanoTime() - start, "");
        } catch (IOException e) {
            return new StreamResult(status, firstToken, events, System.nanoTime() - start, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StreamResult(status, firstToken, events, System.nanoTime() - start, "interrupted");
        }
    }

    /** Status and body of a call; status 0 and the exception's text when it failed. */
    record Reply(int status, String body) {}

    static Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Reply(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(0, "interrupted");
        }
    }
}
