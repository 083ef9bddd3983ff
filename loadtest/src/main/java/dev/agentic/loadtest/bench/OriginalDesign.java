package dev.agentic.loadtest.bench;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The comparison with the original design (issue 11, target 7): the guide this project replaced
 * answered in about 5 s, held 6 concurrent requests and sustained 60–120 simple requests a minute.
 * Here every answer takes 5 s too (the simulator paced at 200 ms to the first token, then 20 more
 * tokens 240 ms apart), and {@code clients} closed-loop SSE clients query the {@code general}
 * agent for a window: the figure is the rate of answers that ended {@code done} inside the
 * window's steady part (the first answer's length excluded), their latency, and how many streams
 * were open at once.
 */
final class OriginalDesign {
    /** The simulator's pace: 200 ms + 20 × 240 ms = 5.0 s per answer. */
    static final String TTFT = "200ms";

    static final String INTER_TOKEN = "240ms";
    static final int TOKENS = 21;
    static final double ANSWER_SECONDS = 5.0;

    /** The original guide's figures. */
    static final int GUIDE_CONCURRENT = 6;

    static final double GUIDE_REQUESTS_PER_MINUTE_LOW = 60;
    static final double GUIDE_REQUESTS_PER_MINUTE_HIGH = 120;

    /** One level's outcome: answers per second in the steady window, latency percentiles, failures. */
    record Level(int clients, double answersPerSecond, double p50Seconds, double p95Seconds, long failed) {}

    private OriginalDesign() {}

    /**
     * Runs {@code clients} closed-loop clients for {@code window} (plus the answers still open at
     * its end); counts the answers that ended {@code done} after the first {@link #ANSWER_SECONDS}
     * (every client has one answer behind it by then) and before the window's end.
     */
    static Level run(int clients, Duration window, Supplier<HttpRequest> request) {
        AtomicLong failed = new AtomicLong();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong inWindow = new AtomicLong();
        long start = System.nanoTime();
        long steadyFrom = start + (long) (ANSWER_SECONDS * 1e9);
        long end = start + window.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        long began = System.nanoTime();
                        Http.StreamResult result = Http.stream(request.get(), () -> false);
                        long ended = System.nanoTime();
                        Http.Event terminal = result.terminal();
                        if (result.status() != 200
                                || terminal == null
                                || !terminal.type().equals("done")) {
                            failed.incrementAndGet();
                            Bench.pause(100);
                            continue;
                        }
                        latencies.add((ended - began) / 1e9);
                        if (ended >= steadyFrom && ended <= end) {
                            inWindow.incrementAndGet();
                        }
                    }
                });
            }
        }
        double steadySeconds = (end - steadyFrom) / 1e9;
        List<Double> sorted = Summary.sorted(latencies);
        return new Level(
                clients,
                inWindow.get() / steadySeconds,
                Summary.percentile(sorted, 0.5),
                Summary.percentile(sorted, 0.95),
                failed.get());
    }
}
