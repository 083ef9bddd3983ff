package dev.agentic.e2e.chaos;

import dev.agentic.e2e.chaos.RequestTrace.Outcome;
import dev.agentic.e2e.chaos.RequestTrace.Seen;
import dev.agentic.model.EventId;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One chaos client: sends a streaming query, reads it to its terminal event, then sends the next,
 * until the window closes. A connection that ends without a terminal event, or an id-less {@code
 * error} frame with {@code retryable: true} (the ingress lost Redis or is stopping), makes it resume
 * with {@code GET /api/v1/queries/{id}/events} and {@code Last-Event-ID} through Nginx, retrying with
 * backoff on 502/503/504 and connection errors, until the terminal event or the request timeout.
 * Everything it sees goes into a {@link RequestTrace}.
 */
final class ChaosClient implements Runnable {
    private static final Pattern RETRYABLE = Pattern.compile("\"retryable\"\\s*:\\s*true");
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    /** 404s in a row before a resume gives up (a restarted Redis still loading may answer oddly). */
    private static final int MAX_NOT_FOUND = 10;

    private static final String AUTHORIZATION = "Bearer " + ChaosCluster.ADMIN_KEY;

    private final int index;
    private final String baseUrl;
    private final ChaosConfig config;
    private final long windowEndNanos;
    private final Consumer<RequestTrace> traces;
    /** The connection being read and the deadline of its request, for {@link #enforceDeadline}. */
    private volatile SseClient.@Nullable Stream open;

    private volatile long deadlineNanos = Long.MAX_VALUE;

    ChaosClient(int index, String baseUrl, ChaosConfig config, long windowEndNanos, Consumer<RequestTrace> traces) {
        this.index = index;
        this.baseUrl = baseUrl;
        this.config = config;
        this.windowEndNanos = windowEndNanos;
        this.traces = traces;
    }

    @Override
    public void run() {
        for (int sequence = 0; System.nanoTime() < windowEndNanos; sequence++) {
            RequestTrace trace = new RequestTrace(index, sequence, System.nanoTime());
            traces.accept(trace);
            try {
                runOne(trace);
            } catch (RuntimeException e) {
                trace.end(Outcome.BROKEN, "client failed: " + e, System.nanoTime());
            }
        }
    }

    /**
     * Closes the connection being read if its request's deadline passed: a stream kept alive by
     * heartbeats alone would otherwise block its reader for ever. Called by a watchdog thread.
     */
    void enforceDeadline(long nowNanos) {
        SseClient.Stream stream = open;
        if (stream != null && nowNanos > deadlineNanos) {
            stream.close();
        }
    }

    /** Where the client is in one request's log. */
    private static final class Cursor {
        @Nullable
        EventId last;

        boolean sawLogged;
        boolean terminal;
    }

    private void runOne(RequestTrace trace) {
        long deadline = trace.createdNanos + config.requestTimeout().toNanos();
        deadlineNanos = deadline;
        String body =
                "{\"query\":\"chaos client " + index + " request " + trace.sequence + "\",\"agent_type\":\"general\"}";
        // Retried POSTs carry the same key: a POST whose answer was lost (the ingress died after
        // enqueuing) gets the request it made instead of a second one.
        String idempotencyKey = "chaos-" + config.seed() + "-" + index + "-" + trace.sequence;
        Cursor cursor = new Cursor();
        Backoff backoff = new Backoff();
        String requestId = null;
        while (requestId == null) {
            long now = System.nanoTime();
            if (now > deadline || now > windowEndNanos) {
                trace.end(Outcome.NOT_ACCEPTED, "every POST was refused until the window closed", now);
                return;
            }
            SseClient.Stream stream;
            try {
                stream = SseClient.post(
                        baseUrl + "/api/v1/query",
                        body,
                        Map.of("Idempotency-Key", idempotencyKey, "Authorization", AUTHORIZATION));
            } catch (UncheckedIOException e) {
                trace.attempt("POST", now, "io: " + e.getMessage());
                backoff.sleep();
                continue;
            }
            try (stream) {
                int status = stream.status();
                if (status == 200) {
                    String id = stream.header("X-Request-Id");
                    if (id == null) {
                        trace.end(Outcome.BROKEN, "POST 200 without X-Request-Id", now);
                        return;
                    }
                    trace.attempt(
                            "POST", now, "true".equals(stream.header("Idempotent-Replayed")) ? "200 replayed" : "200");
                    trace.accepted(id, now);
                    requestId = id;
                    read(stream, trace, cursor);
                } else if (status == 202 && stream.header("X-Request-Id") != null) {
                    // Accepted, but the POST could not follow it (Redis failed after the enqueue): resume it.
                    trace.attempt("POST", now, "202 accepted");
                    requestId = stream.header("X-Request-Id");
                    trace.accepted(requestId, now);
                } else {
                    String text = abbreviate(bodyQuietly(stream));
                    trace.attempt("POST", now, status + " " + text);
                    if (!isTransient(status)) {
                        trace.end(Outcome.BROKEN, "POST answered " + status + " " + text, now);
                        return;
                    }
                    backoff.sleep(retryAfter(stream));
                }
            }
        }
        resume(trace, requestId, cursor, deadline);
    }

    private void resume(RequestTrace trace, String requestId, Cursor cursor, long deadline) {
        Backoff backoff = new Backoff();
        int notFound = 0;
        while (!cursor.terminal) {
            long now = System.nanoTime();
            if (now > deadline) {
                trace.end(
                        Outcome.LOST,
                        "no terminal event within " + config.requestTimeout().toSeconds() + "s; last id " + cursor.last,
                        now);
                return;
            }
            String url = baseUrl + "/api/v1/queries/" + requestId + "/events";
            Map<String, String> headers = cursor.last == null
                    ? Map.of("Authorization", AUTHORIZATION)
                    : Map.of("Last-Event-ID", cursor.last.toString(), "Authorization", AUTHORIZATION);
            SseClient.Stream stream;
            try {
                stream = SseClient.get(url, headers);
            } catch (UncheckedIOException e) {
                trace.attempt("GET", now, "io: " + e.getMessage());
                backoff.sleep();
                continue;
            }
            try (stream) {
                int status = stream.status();
                if (status == 200) {
                    trace.attempt("GET", now, "200 after " + cursor.last);
                    notFound = 0;
                    if (read(stream, trace, cursor) == 0) {
                        backoff.sleep();
                    } else {
                        backoff.reset();
                    }
                    continue;
                }
                String text = abbreviate(bodyQuietly(stream));
                trace.attempt("GET", now, status + " " + text);
                if (status == 404 && ++notFound < MAX_NOT_FOUND) {
                    backoff.sleep();
                } else if (status == 404 || status == 410) {
                    trace.end(Outcome.LOST, "resume answered " + status + " " + text, now);
                    return;
                } else if (isTransient(status)) {
                    backoff.sleep(retryAfter(stream));
                } else {
                    trace.end(Outcome.BROKEN, "resume answered " + status + " " + text, now);
                    return;
                }
            }
        }
    }

    /**
     * Reads one connection's frames until the terminal event, the end of the connection or an id-less
     * retryable {@code error}.
     *
     * @return frames from the log received on this connection
     */
    private int read(SseClient.Stream stream, RequestTrace trace, Cursor cursor) {
        open = stream;
        try {
            return readFrames(stream, trace, cursor);
        } finally {
            open = null;
        }
    }

    private static int readFrames(SseClient.Stream stream, RequestTrace trace, Cursor cursor) {
        int segment = trace.newSegment();
        int logged = 0;
        String ending = "eof";
        try {
            for (Frame f = stream.next(); f != null; f = stream.next()) {
                trace.frame(new Seen(segment, f.id(), f.event(), f.data(), f.receivedNanos()));
                if (f.id() == null) {
                    if (f.event().equals("error")) {
                        if (!RETRYABLE.matcher(f.data()).find()) {
                            trace.violation("id-less error frame that is not retryable: " + f.data());
                        }
                        ending = "id-less error";
                        break;
                    }
                    continue;
                }
                logged++;
                accept(f, segment, trace, cursor);
                if (cursor.terminal) {
                    trace.end(
                            f.event().equals("done") ? Outcome.DONE : Outcome.ERROR,
                            f.event().equals("done") ? "" : f.data(),
                            f.receivedNanos());
                    ending = "terminal";
                    break;
                }
            }
        } catch (UncheckedIOException | IllegalStateException e) {
            ending = "io: " + e.getMessage();
        }
        trace.attempt("end#" + segment, System.nanoTime(), ending + " (" + logged + " frames)");
        return logged;
    }

    private static void accept(Frame f, int segment, RequestTrace trace, Cursor cursor) {
        EventId id;
        try {
            id = EventId.parse(String.valueOf(f.id()));
        } catch (IllegalArgumentException e) {
            trace.violation("segment " + segment + ": unparsable id " + f.id());
            return;
        }
        if (!cursor.sawLogged && !f.event().equals("queued")) {
            trace.violation("first event is " + f.event() + " " + id + ", not queued");
        }
        cursor.sawLogged = true;
        if (cursor.last != null && !id.isAfter(cursor.last)) {
            trace.violation("segment " + segment + ": " + f.event() + " id " + id
                    + (id.equals(cursor.last) ? " repeats " : " goes back before ") + cursor.last);
        } else {
            cursor.last = id;
        }
        if (f.event().equals("done") || f.event().equals("error")) {
            cursor.terminal = true;
        }
    }

    private static boolean isTransient(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    private static @Nullable Duration retryAfter(SseClient.Stream stream) {
        String value = stream.header("Retry-After");
        try {
            return value == null ? null : Duration.ofSeconds(Math.min(5, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String bodyQuietly(SseClient.Stream stream) {
        try {
            return stream.bodyText().strip();
        } catch (UncheckedIOException e) {
            return "(body unreadable: " + e.getMessage() + ")";
        }
    }

    private static String abbreviate(String text) {
        String flat = text.replace('\n', ' ');
        return flat.length() <= 160 ? flat : flat.substring(0, 160) + "...";
    }

    /** Exponential backoff with jitter: 100 ms doubling to 2 s. */
    private static final class Backoff {
        private Duration next = FIRST_BACKOFF;

        void reset() {
            next = FIRST_BACKOFF;
        }

        void sleep() {
            sleep(null);
        }

        void sleep(@Nullable Duration atLeast) {
            Duration base = atLeast != null && atLeast.compareTo(next) > 0 ? atLeast : next;
            long jittered = base.toMillis() / 2 + ThreadLocalRandom.current().nextLong(base.toMillis() / 2 + 1);
            next = next.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next.multipliedBy(2);
            try {
                Thread.sleep(jittered);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
