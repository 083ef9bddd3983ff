package dev.agentic.testsupport;

import dev.agentic.model.SseFrame;
import dev.agentic.model.SseFrameReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A small blocking SSE client for tests: sends a request and reads the stream frame by frame (parsed
 * by shared-model's {@link SseFrameReader}, as the command-line client does).
 */
public final class SseClient {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private SseClient() {}

    /** One SSE event; {@code id} is null for frames without one, comments are not frames. */
    public record Frame(@Nullable String id, String event, String data, long receivedNanos) {}

    /** An open stream: status, headers, then frames as they arrive. */
    public static final class Stream implements AutoCloseable {
        private final HttpResponse<java.util.stream.Stream<String>> response;
        private final SseFrameReader reader;

        Stream(HttpResponse<java.util.stream.Stream<String>> response) {
            this.response = response;
            this.reader = new SseFrameReader(response.body().iterator());
        }

        public int status() {
            return response.statusCode();
        }

        public @Nullable String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        /** Comment lines (heartbeats) seen so far. */
        public int comments() {
            return reader.comments();
        }

        /** The next frame, or null at the end of the stream. */
        public @Nullable Frame next() {
            SseFrame frame = reader.next();
            return frame == null ? null : new Frame(frame.id(), frame.event(), frame.data(), System.nanoTime());
        }

        /** Every remaining frame, until the server closes the stream. */
        public List<Frame> drain() {
            List<Frame> frames = new ArrayList<>();
            for (Frame f = next(); f != null; f = next()) {
                frames.add(f);
            }
            return frames;
        }

        /** The body of a non-SSE response (e.g. a problem+json refusal). */
        public String bodyText() {
            return reader.remainingText();
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    /** POSTs {@code json} with {@code Accept: text/event-stream} and returns once headers arrive. */
    public static Stream post(String url, String json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return send(request.build());
    }

    /** GETs an event stream (resume), with optional extra headers such as Last-Event-ID. */
    public static Stream get(String url, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMinutes(2))
                .header("Accept", "text/event-stream")
                .GET();
        headers.forEach(request::header);
        return send(request.build());
    }

    private static Stream send(HttpRequest request) {
        try {
            return new Stream(HTTP.send(request, HttpResponse.BodyHandlers.ofLines()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
