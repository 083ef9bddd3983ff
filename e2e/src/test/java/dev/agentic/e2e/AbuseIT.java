package dev.agentic.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.RedisKeys;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The abuse suite: the real stack (Nginx, two ingress instances, workers, Redis) takes ordinary
 * queries for a while, then the same ordinary load mixed with hostile requests of every kind a
 * tenant can send: math bombs, huge outputs, regex-bomb documents, agents that throw Errors, agents
 * that compute past their deadline, clients that never read, and requests whose log expires before
 * a worker picks them up. It asserts that every accepted request ends by its deadline plus the
 * grace, that every ordinary query ends done and none stalls (its p95 and p99 time to first token
 * within {@link #P95_STALL} and {@link #P99_STALL} of the clean run's; the ratio is printed), that
 * Redis memory comes back, that no stream permit or worker slot leaks, and that nothing answers a
 * 5xx but 503 {@code redis_unavailable}. Prints the figures (docs/benchmarks.md).
 *
 * <p>Layout: workers 1 and 2 read the interactive lane; worker 3 alone reads the batch lane, and is
 * paused (SIGSTOP) for the first seconds of the abuse phase, so batch requests sent then outlive
 * their log (the ingress keeps a request's log {@link #INGRESS_RETENTION} until a worker writes) and
 * their deadline before any worker takes them.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class AbuseIT {
    private static final Duration PHASE = Duration.ofSeconds(Long.getLong("abuse.seconds", 30));
    /** Ordinary queries per second, in both phases. */
    private static final double ORDINARY_RATE = 10;
    /** Hostile requests per second in the abuse phase. */
    private static final double HOSTILE_RATE = 4;
    /** The ingress's and the worker's grace past a request's deadline (set on both). */
    private static final Duration GRACE = Duration.ofSeconds(2);
    /** What the test allows on top of deadline + grace for its own clock and the hops. */
    private static final Duration SLACK = Duration.ofMillis(1500);

    private static final Duration INGRESS_RETENTION = Duration.ofSeconds(3);
    private static final Duration WORKER_RETENTION = Duration.ofSeconds(10);
    /** How long worker 3 (the batch lane) stays paused at the start of the abuse phase. */
    private static final Duration BATCH_PAUSE = Duration.ofSeconds(8);
    /**
     * How far the ordinary queries' p95 and p99 time to first token under abuse may exceed the clean
     * run's. The suite checks that hostile requests cannot stall the worker pool: a stall (slots,
     * threads or the lane held by hostile work) makes ordinary queries wait seconds, up to the
     * hostile requests' 5 s deadline. The ratio to the clean run is printed, not asserted: the abuse
     * phase keeps this 2-core machine's CPU busy (floods relayed, documents embedded, stuck agents),
     * so the ratio follows the CPU the machine has to spare, which on this shared VM (up to 40 %
     * steal time) moved between 1.1x and 3.1x over runs of the same code (docs/benchmarks.md).
     */
    private static final Duration P95_STALL = Duration.ofMillis(500);

    private static final Duration P99_STALL = Duration.ofSeconds(2);
    /** Redis's used_memory after the run (and retention) may exceed the start by at most this. */
    static final long MEMORY_BOUND_BYTES = 4L << 20;

    private static final long ORDINARY_TIMEOUT_MS = 30_000;
    private static final long HOSTILE_TIMEOUT_MS = 5_000;
    private static final long SPIN_TIMEOUT_MS = 1_000;
    /**
     * Every this many hostile requests, one runs an agent that computes for {@link #SPIN_MILLIS}
     * ignoring interrupts, past its deadline plus the grace: a stuck agent (two in a 30 s phase).
     * Each takes a whole core while it runs, which on a two-core machine is CPU that ordinary
     * queries lose whatever the design; the unit test JobConsumerTest shows ordinary jobs beside
     * agents that never stop. (Math bombs, the realistic CPU attack, are refused at once.)
     */
    private static final int SPIN_EVERY = 60;

    private static final long SPIN_MILLIS = 3_500;
    private static final long DOCUMENT_TIMEOUT_MS = 60_000;

    /** The hostile kinds, sent round-robin. */
    enum Hostile {
        MATH_BOMB,
        HUGE_OUTPUT,
        REGEX_DOCUMENT,
        AGENT_ERROR,
        CPU_SPIN,
        NEVER_READS,
        EXPIRED_LOG
    }

    private static final List<String> MATH_BOMBS = List.of(
            "9^9^9^9",
            "fact(100000)",
            "1e20000000",
            "(".repeat(900) + "1" + ")".repeat(900),
            "10^10^10 * 10^10^10",
            "99999999999999^99999999999999");

    /** One request's result as a client saw it. */
    record Outcome(
            String kind,
            int status,
            @Nullable String code,
            @Nullable String terminal,
            int terminals,
            long startNanos,
            long endNanos,
            long timeoutMs,
            long ttftMillis,
            @Nullable String requestId) {

        boolean accepted() {
            return status == 200 || status == 202;
        }

        long tookMillis() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void hostileTenantsCannotStallWorkersSwellRedisOrLeaveStreamsOpen() throws Exception {
        List<String> ingressArgs = List.of(
                "--agentic.ingress.event-retention=" + INGRESS_RETENTION.toSeconds() + "s",
                "--agentic.ingress.status-retention=" + WORKER_RETENTION.toSeconds() + "s",
                "--agentic.ingress.terminal-grace=" + GRACE.toSeconds() + "s",
                "--agentic.ingress.ingest-deadline=" + DOCUMENT_TIMEOUT_MS / 1000 + "s");
        try (Stack stack = new Stack(2, 3, 4, ingressArgs, worker -> workerArgs(worker))) {
            ServiceProcessPause batchWorker = new ServiceProcessPause(stack.workers.get(2));
            long memoryAtStart = usedMemory(stack);
            warmUp(stack);

            List<Outcome> clean = runPhase(stack, false, batchWorker);
            List<Outcome> abused = runPhase(stack, true, batchWorker);

            Report report = new Report(clean, abused);
            long memoryAfter = awaitMemoryBack(stack, memoryAtStart);
            report.print(memoryAtStart, memoryAfter);

            assertThat(report.serverErrors())
                    .as("no 5xx but 503 redis_unavailable\n" + stack.logs())
                    .isEmpty();
            assertThat(report.lateOrUnended())
                    .as("every accepted request ends once, by its deadline plus grace\n" + stack.logs())
                    .isEmpty();
            assertThat(report.hostileByKind().keySet())
                    .as("every hostile kind was sent")
                    .containsAll(List.of(Hostile.values()).stream()
                            .map(Hostile::name)
                            .toList());
            assertThat(report.ordinaryNotDone())
                    .as("every ordinary query answered 200 and ended done, in both phases")
                    .isEmpty();
            assertThat(report.abused(0.95))
                    .as(
                            "ordinary p95 time to first token under abuse within %d ms of the clean run (%d ms):"
                                    + " no stall",
                            P95_STALL.toMillis(), report.clean(0.95))
                    .isLessThanOrEqualTo(report.clean(0.95) + P95_STALL.toMillis());
            assertThat(report.abused(0.99))
                    .as(
                            "ordinary p99 time to first token under abuse within %d ms of the clean run (%d ms):"
                                    + " no stall",
                            P99_STALL.toMillis(), report.clean(0.99))
                    .isLessThanOrEqualTo(report.clean(0.99) + P99_STALL.toMillis());
            assertThat(memoryAfter - memoryAtStart)
                    .as("Redis used_memory returns to within %d bytes of the start", MEMORY_BOUND_BYTES)
                    .isLessThanOrEqualTo(MEMORY_BOUND_BYTES);
            awaitNoLeaks(stack);
        }
    }

    private static List<String> workerArgs(int worker) {
        List<String> args = new ArrayList<>(List.of(
                "--agentic.worker.event-retention=" + WORKER_RETENTION.toSeconds() + "s",
                "--agentic.worker.status-retention=" + WORKER_RETENTION.toSeconds() + "s",
                "--agentic.worker.stuck-grace=" + GRACE.toSeconds() + "s",
                "--agentic.trim.interval=1s"));
        args.add(worker == 3 ? "--agentic.worker.lanes=batch" : "--agentic.worker.lanes=interactive");
        return args;
    }

    /** SIGSTOP/SIGCONT of one process, remembered so a failing test never leaves it stopped. */
    private record ServiceProcessPause(dev.agentic.testsupport.ServiceProcess process) {
        void pause() {
            process.pause();
        }

        void resume() {
            process.resume();
        }
    }

    private void warmUp(Stack stack) {
        for (int i = 0; i < 20; i++) {
            ordinary(stack, i);
        }
    }

    /** One phase: ordinary load at its rate, and with {@code abuse} the hostile mix beside it. */
    private List<Outcome> runPhase(Stack stack, boolean abuse, ServiceProcessPause batchWorker) throws Exception {
        List<Future<Outcome>> sent = Collections.synchronizedList(new ArrayList<>());
        List<Socket> silentClients = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger hostileCount = new AtomicInteger();
        // Platform threads, not virtual ones: a client reading a huge answer always has bytes to
        // parse, so on a virtual thread it would hold one of the JVM's two carriers for as long, and
        // the ordinary clients' first tokens would be timestamped late (the test measuring itself).
        try (ExecutorService clients = Executors.newCachedThreadPool();
                var pacer = Executors.newScheduledThreadPool(1)) {
            long ordinaryTotal = Math.round(ORDINARY_RATE * PHASE.toSeconds());
            for (long i = 0; i < ordinaryTotal; i++) {
                int n = (int) i;
                pacer.schedule(
                        () -> sent.add(clients.submit(() -> ordinary(stack, n))),
                        Math.round(i * 1e9 / ORDINARY_RATE),
                        TimeUnit.NANOSECONDS);
            }
            if (abuse) {
                batchWorker.pause();
                pacer.schedule(batchWorker::resume, BATCH_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
                long hostileTotal = Math.round(HOSTILE_RATE * PHASE.toSeconds());
                for (long i = 0; i < hostileTotal; i++) {
                    long at = Math.round(i * 1e9 / HOSTILE_RATE);
                    pacer.schedule(
                            () -> {
                                Hostile kind = nextKind(hostileCount.getAndIncrement(), at);
                                sent.add(clients.submit(() -> hostile(stack, kind, silentClients)));
                            },
                            at,
                            TimeUnit.NANOSECONDS);
                }
            }
            pacer.shutdown();
            assertThat(pacer.awaitTermination(PHASE.toSeconds() + 30, TimeUnit.SECONDS))
                    .isTrue();
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> future : List.copyOf(sent)) {
                outcomes.add(future.get(DOCUMENT_TIMEOUT_MS + 60_000, TimeUnit.MILLISECONDS));
            }
            return outcomes;
        } finally {
            batchWorker.resume();
            for (Socket socket : silentClients) {
                closeQuietly(socket);
            }
        }
    }

    /**
     * The kind of the {@code n}th hostile request: round-robin, except that requests whose log must
     * expire go only while the batch worker is paused, and everything else after.
     */
    private static Hostile nextKind(int n, long atNanos) {
        boolean batchPaused =
                atNanos < BATCH_PAUSE.toNanos() - Duration.ofSeconds(4).toNanos();
        if (batchPaused && n % 2 == 0) {
            return Hostile.EXPIRED_LOG;
        }
        if (n % SPIN_EVERY == SPIN_EVERY - 1) {
            return Hostile.CPU_SPIN;
        }
        Hostile[] others = {
            Hostile.MATH_BOMB, Hostile.HUGE_OUTPUT, Hostile.REGEX_DOCUMENT, Hostile.AGENT_ERROR, Hostile.NEVER_READS
        };
        return others[n % others.length];
    }

    private Outcome ordinary(Stack stack, int n) {
        String body = "{\"query\":\"ordinary question " + n + "\",\"agent_type\":\"general\",\"timeout_ms\":"
                + ORDINARY_TIMEOUT_MS + "}";
        return stream(stack, "ordinary", "/api/v1/query", body, ORDINARY_TIMEOUT_MS);
    }

    private Outcome hostile(Stack stack, Hostile kind, List<Socket> silentClients) {
        return switch (kind) {
            case MATH_BOMB -> {
                String bomb = MATH_BOMBS.get(Math.floorMod(System.nanoTime(), MATH_BOMBS.size()));
                yield query(stack, kind, bomb, "math", HOSTILE_TIMEOUT_MS, "interactive");
            }
            case HUGE_OUTPUT -> query(stack, kind, "flood 5000000", "diagnostic", HOSTILE_TIMEOUT_MS, "interactive");
            case AGENT_ERROR -> query(stack, kind, "throw-error", "diagnostic", HOSTILE_TIMEOUT_MS, "interactive");
            case CPU_SPIN -> query(stack, kind, "spin " + SPIN_MILLIS, "diagnostic", SPIN_TIMEOUT_MS, "interactive");
            case EXPIRED_LOG -> query(stack, kind, "What is 2+2?", "math", HOSTILE_TIMEOUT_MS, "batch");
            case REGEX_DOCUMENT -> regexDocument(stack);
            case NEVER_READS -> neverReads(stack, silentClients);
        };
    }

    private Outcome query(Stack stack, Hostile kind, String text, String agent, long timeoutMs, String lane) {
        String body = "{\"query\":\"" + text + "\",\"agent_type\":\"" + agent + "\",\"lane\":\"" + lane
                + "\",\"cache\":false,\"timeout_ms\":" + timeoutMs + "}";
        return stream(stack, kind.name(), "/api/v1/query", body, timeoutMs);
    }

    /** A document of lines built to make backtracking heading and fence patterns explode. */
    private Outcome regexDocument(Stack stack) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            text.append('#').append(" ".repeat(4000)).append("\\r");
            text.append("```").append(" ".repeat(2000)).append("~~~\\r\\n");
        }
        String id = "bomb-" + System.nanoTime();
        String body = "{\"id\":\"" + id + "\",\"title\":\"bomb\",\"text\":\"" + text + "\"}";
        return stream(stack, Hostile.REGEX_DOCUMENT.name(), "/api/v1/documents", body, DOCUMENT_TIMEOUT_MS);
    }

    /** An SSE request read to its end; the outcome notes the terminal frames and the first token. */
    private Outcome stream(Stack stack, String kind, String path, String body, long timeoutMs) {
        long start = System.nanoTime();
        try (SseClient.Stream stream = SseClient.post(stack.url(path), body, Stack.auth())) {
            if (stream.status() != 200) {
                String text = stream.bodyText();
                return new Outcome(
                        kind, stream.status(), code(text), null, 0, start, System.nanoTime(), timeoutMs, -1, null);
            }
            long ttft = -1;
            int terminals = 0;
            String terminal = null;
            String code = null;
            for (Frame frame = stream.next(); frame != null; frame = stream.next()) {
                if (ttft < 0 && frame.event().equals("token")) {
                    ttft = (frame.receivedNanos() - start) / 1_000_000;
                }
                if (frame.event().equals("done") || frame.event().equals("error")) {
                    terminals++;
                    terminal = frame.event();
                    code = code(frame.data());
                }
            }
            return new Outcome(
                    kind,
                    200,
                    code,
                    terminal,
                    terminals,
                    start,
                    System.nanoTime(),
                    timeoutMs,
                    ttft,
                    stream.header("X-Request-Id"));
        } catch (UncheckedIOException e) {
            return new Outcome(kind, -1, e.getMessage(), null, 0, start, System.nanoTime(), timeoutMs, -1, null);
        }
    }

    /**
     * A client that sends a query for a huge answer and never reads the body: it reads the status
     * and headers only (for the request id), then holds the connection until the phase ends. The
     * request must still end by its deadline plus grace, which the request's hash shows.
     */
    private Outcome neverReads(Stack stack, List<Socket> silentClients) {
        long start = System.nanoTime();
        URI base = URI.create(stack.url("/"));
        String body = "{\"query\":\"flood 5000000\",\"agent_type\":\"diagnostic\",\"cache\":false,\"timeout_ms\":"
                + HOSTILE_TIMEOUT_MS + "}";
        Socket socket = new Socket();
        silentClients.add(socket);
        try {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /api/v1/query HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                            + "Authorization: Bearer " + Stack.ADMIN_KEY + "\r\n"
                            + "Accept: text/event-stream\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            String head = readHead(socket.getInputStream());
            int status = Integer.parseInt(head.substring(9, 12));
            Matcher id = Pattern.compile("(?im)^X-Request-Id:\\s*(\\S+)").matcher(head);
            if (status != 200 || !id.find()) {
                return new Outcome(
                        Hostile.NEVER_READS.name(), status, head, null, 0, start, System.nanoTime(), 0, -1, null);
            }
            // Never read the body; watch the request's status in Redis instead.
            String ended = awaitTerminalStatus(stack, id.group(1));
            return new Outcome(
                    Hostile.NEVER_READS.name(),
                    status,
                    null,
                    ended,
                    ended == null ? 0 : 1,
                    start,
                    System.nanoTime(),
                    HOSTILE_TIMEOUT_MS,
                    -1,
                    id.group(1));
        } catch (IOException | RuntimeException e) {
            return new Outcome(
                    Hostile.NEVER_READS.name(), -1, e.toString(), null, 0, start, System.nanoTime(), 0, -1, null);
        }
    }

    /** Polls the request's hash until it has a terminal status (or well past its deadline). */
    private static @Nullable String awaitTerminalStatus(Stack stack, String requestId) {
        long giveUp = System.nanoTime()
                + Duration.ofMillis(HOSTILE_TIMEOUT_MS)
                        .plus(GRACE)
                        .plus(SLACK)
                        .plusSeconds(10)
                        .toNanos();
        while (System.nanoTime() < giveUp) {
            String status = stack.connection.sync().hget(RedisKeys.request(requestId), "status");
            if ("done".equals(status) || "error".equals(status)) {
                return status;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static @Nullable String code(String json) {
        Matcher m = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the test is done with it
        }
    }

    private static long usedMemory(Stack stack) {
        String info = stack.connection.sync().info("memory");
        Matcher m = Pattern.compile("(?m)^used_memory:(\\d+)").matcher(info);
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Waits (bounded) until the logs of the run have expired and the lanes are trimmed. */
    private static long awaitMemoryBack(Stack stack, long start) throws InterruptedException {
        long deadline = System.nanoTime() + WORKER_RETENTION.multipliedBy(4).toNanos();
        long used = usedMemory(stack);
        while (used - start > MEMORY_BOUND_BYTES && System.nanoTime() < deadline) {
            Thread.sleep(500);
            used = usedMemory(stack);
        }
        return used;
    }

    /** Stream permits back to zero on every ingress, every worker slot free. */
    private void awaitNoLeaks(Stack stack) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            state = leakState(stack);
            if (state.isEmpty()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("leaks after the run: " + state + "\n" + stack.logs());
    }

    private String leakState(Stack stack) throws Exception {
        StringBuilder leaks = new StringBuilder();
        for (int port : stack.ingressPorts) {
            double permits = metric(port, "/actuator/prometheus", "agentic_ingress_stream_permits");
            if (permits != 0) {
                leaks.append("ingress ")
                        .append(port)
                        .append(" holds ")
                        .append(permits)
                        .append(" permits; ");
            }
        }
        for (int i = 1; i <= stack.workers.size(); i++) {
            String beat = stack.connection.sync().get("agentic:worker:worker-" + i);
            Matcher inflight = Pattern.compile("\"inflight\":(\\d+)").matcher(String.valueOf(beat));
            if (!inflight.find() || !inflight.group(1).equals("0")) {
                leaks.append("worker-").append(i).append(": ").append(beat).append("; ");
            }
        }
        return leaks.toString();
    }

    private double metric(int port, String path, String name) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})?\\s+(\\S+)").matcher(response.body());
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    /** The figures and checks over both phases. */
    private final class Report {
        private final List<Outcome> clean;
        private final List<Outcome> abused;

        Report(List<Outcome> clean, List<Outcome> abused) {
            this.clean = clean;
            this.abused = abused;
        }

        List<Outcome> all() {
            List<Outcome> all = new ArrayList<>(clean);
            all.addAll(abused);
            return all;
        }

        List<Outcome> serverErrors() {
            return all().stream()
                    .filter(o -> o.status() >= 500 && !(o.status() == 503 && "redis_unavailable".equals(o.code())))
                    .toList();
        }

        List<Outcome> lateOrUnended() {
            return all().stream()
                    .filter(o -> o.status() == 200)
                    .filter(o ->
                            o.terminals() != 1 || o.tookMillis() > o.timeoutMs() + GRACE.toMillis() + SLACK.toMillis())
                    .toList();
        }

        Map<String, Map<String, Integer>> hostileByKind() {
            Map<String, Map<String, Integer>> kinds = new TreeMap<>();
            for (Outcome o : abused) {
                if (!o.kind().equals("ordinary")) {
                    String result = o.status()
                            + (o.terminal() == null ? "" : " " + o.terminal())
                            + (o.code() == null ? "" : " " + o.code());
                    kinds.computeIfAbsent(o.kind(), k -> new TreeMap<>()).merge(result, 1, Integer::sum);
                }
            }
            return kinds;
        }

        List<Outcome> ordinaryNotDone() {
            return all().stream()
                    .filter(o -> o.kind().equals("ordinary"))
                    .filter(o -> o.status() != 200 || !"done".equals(o.terminal()))
                    .toList();
        }

        /** The ordinary queries' time to first token at {@code quantile} in the clean phase. */
        long clean(double quantile) {
            return ttft(clean, quantile);
        }

        long abused(double quantile) {
            return ttft(abused, quantile);
        }

        private long ttft(List<Outcome> outcomes, double quantile) {
            List<Long> ttfts = outcomes.stream()
                    .filter(o -> o.kind().equals("ordinary") && o.ttftMillis() >= 0)
                    .map(Outcome::ttftMillis)
                    .sorted()
                    .toList();
            assertThat(ttfts).as("ordinary queries answered").isNotEmpty();
            return ttfts.get(Math.min(ttfts.size() - 1, (int) Math.ceil(quantile * ttfts.size()) - 1));
        }

        void print(long memoryAtStart, long memoryAfter) {
            long hostile =
                    abused.stream().filter(o -> !o.kind().equals("ordinary")).count();
            long ended = all().stream()
                    .filter(o -> o.status() == 200 && o.terminals() == 1)
                    .filter(o -> o.tookMillis() <= o.timeoutMs() + GRACE.toMillis() + SLACK.toMillis())
                    .count();
            long accepted = all().stream().filter(Outcome::accepted).count();
            System.out.printf(
                    "abuse: %d s clean + %d s abuse; %d requests (%d hostile), %d accepted; terminal by deadline+grace: %d"
                            + " of %d read to the end%n  hostile by kind: %s%n"
                            + "  ordinary TTFT p95: clean %d ms, under abuse %d ms (%.2fx);"
                            + " p99: clean %d ms, under abuse %d ms (%.2fx)%n"
                            + "  Redis used_memory: start %d B, after %d B (+%d B, bound %d B)%n",
                    PHASE.toSeconds(),
                    PHASE.toSeconds(),
                    all().size(),
                    hostile,
                    accepted,
                    ended,
                    all().stream().filter(o -> o.status() == 200).count(),
                    hostileByKind(),
                    clean(0.95),
                    abused(0.95),
                    abused(0.95) / (double) Math.max(1, clean(0.95)),
                    clean(0.99),
                    abused(0.99),
                    abused(0.99) / (double) Math.max(1, clean(0.99)),
                    memoryAtStart,
                    memoryAfter,
                    memoryAfter - memoryAtStart,
                    MEMORY_BOUND_BYTES);
        }
    }
}
