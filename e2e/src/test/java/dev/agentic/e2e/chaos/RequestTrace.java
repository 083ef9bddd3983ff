package dev.agentic.e2e.chaos;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything one chaos client saw of one request: each HTTP attempt (the POST, every resume GET),
 * each frame with the segment (connection) it arrived on and when, and how it ended. Written by the
 * client's own thread, read by the checks after the run; synchronized so that a request still
 * running when the suite gives up can be read too.
 */
final class RequestTrace {
    enum Outcome {
        /** Still waiting for its terminal event. */
        RUNNING,
        /** Ended in {@code done}. */
        DONE,
        /** Ended in an {@code error} event from the log. */
        ERROR,
        /** Never accepted: every POST was refused (503/502/429) or failed until the window closed. */
        NOT_ACCEPTED,
        /** Accepted, but the client gave up: no terminal event within the timeout, or a 404/410. */
        LOST,
        /** The server answered something the contract does not allow (e.g. 400 to a valid POST). */
        BROKEN
    }

    /** One frame: {@code segment} 0 is the POST's stream, 1.. the resumes. */
    record Seen(int segment, @Nullable String id, String event, String data, long atNanos) {}

    /** One HTTP attempt: POST or GET, when, and its result ({@code 200}, {@code 503 ...}, {@code io: ...}). */
    record Attempt(String method, long atNanos, String result) {}

    final int client;
    final int sequence;
    final long createdNanos;
    private @Nullable String requestId;
    private long acceptedNanos;
    private final List<Seen> frames = new ArrayList<>();
    private final List<Attempt> attempts = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private int segments;
    private Outcome outcome = Outcome.RUNNING;
    private String detail = "";
    private long endedNanos;

    RequestTrace(int client, int sequence, long createdNanos) {
        this.client = client;
        this.sequence = sequence;
        this.createdNanos = createdNanos;
    }

    synchronized void accepted(String id, long atNanos) {
        requestId = id;
        acceptedNanos = atNanos;
    }

    synchronized int newSegment() {
        return segments++;
    }

    synchronized void frame(Seen seen) {
        frames.add(seen);
    }

    synchronized void attempt(String method, long atNanos, String result) {
        attempts.add(new Attempt(method, atNanos, result));
    }

    /** A contract violation the client noticed while reading (order of ids, first event). */
    synchronized void violation(String what) {
        violations.add(what);
    }

    synchronized void end(Outcome outcome, String detail, long atNanos) {
        if (this.outcome == Outcome.RUNNING) {
            this.outcome = outcome;
            this.detail = detail;
            this.endedNanos = atNanos;
        }
    }

    synchronized @Nullable String requestId() {
        return requestId;
    }

    synchronized boolean isAccepted() {
        return requestId != null;
    }

    synchronized long acceptedNanos() {
        return acceptedNanos;
    }

    synchronized long endedNanos() {
        return endedNanos;
    }

    synchronized Outcome outcome() {
        return outcome;
    }

    synchronized String detail() {
        return detail;
    }

    synchronized List<Seen> frames() {
        return List.copyOf(frames);
    }

    synchronized List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** Resume GETs that got a 200 (segments after the POST's). */
    synchronized int resumes() {
        return Math.max(0, segments - 1);
    }

    /** Frames that came from the log (with an id). */
    synchronized List<Seen> logged() {
        return frames.stream().filter(f -> f.id() != null).toList();
    }

    /**
     * The whole story in one line per segment, times relative to the request's creation, e.g.
     * {@code POST 200 | #0 +3ms queued 17..-0, +120ms start {"worker":"worker-2","attempt":1}, ... EOF}.
     */
    synchronized String story() {
        StringBuilder out = new StringBuilder();
        out.append("client ")
                .append(client)
                .append(" request #")
                .append(sequence)
                .append(" id=")
                .append(requestId)
                .append(" outcome=")
                .append(outcome)
                .append(detail.isEmpty() ? "" : " (" + detail + ")")
                .append('\n');
        out.append("  attempts: ");
        for (int i = 0; i < attempts.size(); ) {
            Attempt a = attempts.get(i);
            int j = i + 1;
            while (j < attempts.size()
                    && attempts.get(j).method().equals(a.method())
                    && attempts.get(j).result().equals(a.result())) {
                j++;
            }
            out.append(i == 0 ? "" : "; ").append(a.method()).append(' ').append(ms(a.atNanos()));
            if (j - i > 1) {
                out.append("..")
                        .append(ms(attempts.get(j - 1).atNanos()))
                        .append(" x")
                        .append(j - i);
            }
            out.append(' ').append(a.result());
            i = j;
        }
        out.append('\n');
        int segment = -1;
        List<Seen> run = new ArrayList<>();
        for (Seen f : frames) {
            if (f.segment() != segment) {
                flushTokens(out, run);
                segment = f.segment();
                out.append("\n  segment ").append(segment).append(':');
            }
            if (f.event().equals("token")) {
                run.add(f);
                continue;
            }
            flushTokens(out, run);
            out.append(" | ")
                    .append(f.event())
                    .append(' ')
                    .append(ms(f.atNanos()))
                    .append(' ')
                    .append(f.id() == null ? "(no id)" : f.id());
            if (!f.event().equals("queued")) {
                out.append(' ').append(f.data());
            }
        }
        flushTokens(out, run);
        if (!violations.isEmpty()) {
            out.append("\n  client saw: ").append(String.join("; ", violations));
        }
        return out.toString();
    }

    private void flushTokens(StringBuilder out, List<Seen> run) {
        if (run.isEmpty()) {
            return;
        }
        Seen first = run.getFirst();
        Seen last = run.getLast();
        out.append(" | token x")
                .append(run.size())
                .append(' ')
                .append(ms(first.atNanos()))
                .append("..")
                .append(ms(last.atNanos()))
                .append(' ')
                .append(first.id())
                .append("..")
                .append(last.id())
                .append(' ')
                .append(first.data())
                .append("..")
                .append(last.data());
        run.clear();
    }

    private String ms(long nanos) {
        return "+" + (nanos - createdNanos) / 1_000_000 + "ms";
    }
}
