package dev.agentic.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.Binaries;
import dev.agentic.testsupport.FreePorts;
import dev.agentic.testsupport.SseClient;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code bin/agentic} as a user runs it: {@code up}, {@code status}, {@code query}, {@code
 * ingest} and {@code down}, from a clean state, with config/stack.env's default counts.
 *
 * <p>The stack gets its own free ports and its own state folder ({@code AGENTIC_RUN_DIR}, a
 * temporary folder), so it never meets a developer's stack or {@code .run/}. {@code up} runs with
 * {@code AGENTIC_NO_BUILD=1}: failsafe runs after the jars were packaged, and a Maven build must not
 * start another one. Every command has a timeout; {@code down} always runs at the end, and whatever
 * it leaves is killed through the pid files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 16, unit = TimeUnit.MINUTES)
class CliIT {
    /** {@code up} builds nothing, but starts 7 processes and ingests the docs on a shared machine. */
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(4);

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DOWN_TIMEOUT = Duration.ofMinutes(2);
    /** {@code scale} starts up to 3 JVMs, or waits for a worker's drain. */
    private static final Duration SCALE_TIMEOUT = Duration.ofMinutes(4);

    private static final int WORKERS = Stack.LAYOUT.workers();
    private static final int INGRESSES = Stack.LAYOUT.ingresses();
    /** What {@code up} starts with config/stack.env's default counts, in start order. */
    private static final List<String> SERVICES = Stream.of(
                    Stream.of("redis", "llm"),
                    IntStream.rangeClosed(1, WORKERS).mapToObj(i -> "worker-" + i),
                    IntStream.rangeClosed(1, INGRESSES).mapToObj(i -> "ingress-" + i),
                    Stream.of("nginx"))
            .flatMap(names -> names)
            .toList();

    private static final Pattern COLUMNS = Pattern.compile("\\s+");

    /** Static: JUnit fills instance {@code @TempDir} fields only before each test, after {@code @BeforeAll}. */
    @TempDir
    static Path temp;

    private Path runDir;
    private final Map<String, String> env = new LinkedHashMap<>();
    /** Every port the stack listens on: Nginx, Redis, the simulator, the ingresses, the workers. */
    private final List<Integer> ports = new ArrayList<>();
    /** The pid of each service, from the pid files {@code up} wrote. */
    private final Map<String, Long> pids = new LinkedHashMap<>();

    private int commands;
    private boolean down;
    private int ingressBase;
    private int workerBase;
    private static final int SCALED_WORKERS = 4;
    private static final int SCALED_INGRESSES = 3;

    @BeforeAll
    void upFromACleanState() throws IOException {
        Binaries.require("redis-server", "redis-server");
        Binaries.require("nginx", "nginx-light");
        Binaries.require("curl", "curl");
        // User "nobody" (Nginx's workers, when started as root) must reach the Nginx temp folder.
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        runDir = temp.resolve("run");
        boolean developerRunDirExisted = Files.exists(Stack.root().resolve(".run"));
        chooseFreePorts();
        env.put("AGENTIC_RUN_DIR", runDir.toString());
        env.put("AGENTIC_NO_BUILD", "1");
        env.put("AGENTIC_HEALTH_TIMEOUT", "150");

        Result up = agentic(UP_TIMEOUT, "up");

        assertThat(up.exitCode()).as("bin/agentic up\n%s", up).isZero();
        assertThat(up.stdout()).as("up must not build inside the Maven build").contains("AGENTIC_NO_BUILD=1");
        assertThat(runDir.resolve("admin-key"))
                .as("a clean state generates the admin key")
                .exists();
        if (!developerRunDirExisted) {
            assertThat(Stack.root().resolve(".run"))
                    .as("the repository's .run/ is never used")
                    .doesNotExist();
        }
        readPids();
        assertThat(pids).as("pid files in %s", runDir).containsOnlyKeys(SERVICES);
    }

    @Test
    @Order(1)
    void statusShowsEveryProcessUpOnItsPort() {
        Result status = agentic(COMMAND_TIMEOUT, "status");

        assertThat(status.exitCode()).as("%s", status).isZero();
        List<String[]> rows = status.stdout()
                .lines()
                .skip(1) // the header
                .filter(line -> !line.isBlank())
                .map(line -> COLUMNS.split(line.strip(), -1))
                .toList();
        assertThat(rows).extracting(row -> row[1]).as("%s", status).containsExactlyElementsOf(SERVICES);
        assertThat(rows).extracting(row -> row[4]).as("%s", status).containsOnly("up");
        assertThat(rows)
                .extracting(row -> Integer.parseInt(row[3]))
                .as("%s", status)
                .containsExactlyInAnyOrderElementsOf(ports);
    }

    @Test
    @Order(2)
    void queryPrintsTheAnswerOnStdout() {
        Result query = agentic(COMMAND_TIMEOUT, "query", "What is 2+2?");

        assertThat(query.exitCode()).as("%s", query).isZero();
        assertThat(query.stdout()).as("%s", query).contains("4");
    }

    @Test
    @Order(3)
    void queryJsonPrintsTheJsonAnswer() {
        Result query = agentic(COMMAND_TIMEOUT, "query", "--json", "What is 2+2?");

        assertThat(query.exitCode()).as("%s", query).isZero();
        assertThat(query.stdout().strip())
                .as("%s", query)
                .startsWith("{")
                .endsWith("}")
                .contains("4");
    }

    /**
     * The Java client decodes the JSON of each event: a document with non-ASCII text, ingested and
     * then quoted by the rag agent, comes back as the same characters (the awk renderer printed a
     * {@code ?} for each escaped character), and a non-ASCII query reaches the agent intact.
     */
    @Test
    @Order(4)
    void tlsWithHttp2StreamsAQueryAndServesAdminPathsToLoopback() throws Exception {
        Path certificate = runDir.resolve("tls/tls.crt");
        String key = Files.readString(runDir.resolve("admin-key")).strip();
        String tls = "https://127.0.0.1:" + env.get("AGENTIC_NGINX_TLS_PORT");

        // up made a self-signed certificate; curl verifies it (--cacert), it does not skip the check.
        String stream = curl(
                "--http2",
                "--cacert",
                certificate.toString(),
                "-N",
                "-w",
                "\n%{http_version}",
                "-H",
                "Authorization: Bearer " + key,
                "-H",
                "Content-Type: application/json",
                "-H",
                "Accept: text/event-stream",
                "--data",
                "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}",
                tls + "/api/v1/query");
        assertThat(stream)
                .contains("event: queued", "event: token", "event: done")
                .endsWith("\n2");

        String keys = curl(
                "--http2",
                "--cacert",
                certificate.toString(),
                "-w",
                "\n%{http_code}",
                "-H",
                "Authorization: Bearer " + key,
                tls + "/api/v1/admin/keys");
        assertThat(keys).endsWith("\n200");
    }

    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    @Order(5)
    void ingestAndQueryKeepUnicodeIntact() throws IOException {
        Path doc = temp.resolve("unicode-probe.md");
        Files.writeString(
                doc, "# Björn's café\n\nThe polar bear Björn eats crème brûlée in Zürich — naïve ☃ 東京.\n", UTF_8);

        Result ingest = agentic(COMMAND_TIMEOUT, "ingest", doc.toString());
        Result query =
                agentic(COMMAND_TIMEOUT, "query", "--agent", "rag", "What does the polar bear Björn eat in Zürich?");

        assertThat(ingest.exitCode()).as("%s", ingest).isZero();
        assertThat(query.exitCode()).as("%s", query).isZero();
        assertThat(query.stdout())
                .as("%s", query)
                .contains("crème brûlée in Zürich")
                .contains("東京");
        assertThat(query.stderr())
                .as("the tool_start note shows the question the agent got: %s", query)
                .contains("What does the polar bear Björn eat in Zürich?")
                .contains("[done: ");
    }

    /**
     * The dashboard in Debian's Chromium, driven by playwright-core through Nginx
     * (dashboard/browser/dashboard.browser.mjs): sign-in refused and accepted, a streamed answer, a
     * cancel, a resume after a reload, a dead letter retried, the worker count after {@code bin/agentic
     * scale workers}, a limit changed in the page refusing queries with 429, no console error or failed
     * request, axe-core without serious violations, and the screenshots README shows. The dead letter
     * is written as a worker writes one after its last delivery (a real one takes a crashing worker).
     */
    @Test
    @Order(6)
    void theDashboardWorksInARealBrowser() throws Exception {
        Path chromium = Binaries.require("chromium", "chromium");
        String adminKey = Files.readString(runDir.resolve("admin-key")).strip();
        String letter = seedDeadLetter();
        Path screenshots = Stack.root().resolve("e2e/target/dashboard-screenshots");
        Files.createDirectories(screenshots);
        List<String> command = List.of(
                "node",
                Stack.root().resolve("dashboard/browser/dashboard.browser.mjs").toString());
        File out = temp.resolve("dashboard-browser.out").toFile();
        ProcessBuilder browser = new ProcessBuilder(command)
                .directory(Stack.root().resolve("dashboard").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(out);
        browser.environment().keySet().removeIf(name -> name.startsWith("AGENTIC_"));
        browser.environment().putAll(env);
        browser.environment()
                .putAll(Map.of(
                        "DASHBOARD_URL", "http://127.0.0.1:" + env.get("AGENTIC_PORT") + "/dashboard/",
                        "ADMIN_KEY", adminKey,
                        "AGENTIC_CLI", Stack.root().resolve("bin/agentic").toString(),
                        "SCALE_TO", Integer.toString(WORKERS + 1),
                        "SCREENSHOT_DIR", screenshots.toString(),
                        "CHROMIUM", chromium.toString(),
                        "DEAD_LETTER_ENTRY", letter));

        try {
            int exitCode = run(browser, Duration.ofMinutes(6));

            String report = read(out);
            System.out.println(report);
            assertThat(exitCode).as("the browser tests\n%s", report).isZero();
            assertThat(report).doesNotContain("not ok");
            assertThat(screenshots.resolve("dashboard.png")).isNotEmptyFile();
            assertThat(screenshots.resolve("playground.png")).isNotEmptyFile();
            assertThat(screenshots.resolve("workers.png")).isNotEmptyFile();
        } finally { // the next test starts from config/stack.env's count
            Result back = agentic(SCALE_TIMEOUT, "scale", "workers", Integer.toString(WORKERS));
            assertThat(back.exitCode()).as("%s", back).isZero();
        }
    }

    /** A dead letter of a readable math job, as a worker writes it after the job's last delivery. */
    private String seedDeadLetter() {
        long now = System.currentTimeMillis();
        dev.agentic.model.Job job = new dev.agentic.model.Job(
                1,
                dev.agentic.model.RequestId.newId(),
                "public",
                "math",
                "What is 3+3?",
                null,
                dev.agentic.model.Lane.INTERACTIVE,
                now,
                now + Duration.ofMinutes(10).toMillis(),
                null);
        io.lettuce.core.RedisClient client = new dev.agentic.redis.RedisSettings(
                        "redis://127.0.0.1:" + env.get("AGENTIC_REDIS_PORT"),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(5))
                .createClient();
        try (var connection = client.connect()) {
            return connection
                    .sync()
                    .xadd(
                            dev.agentic.model.RedisKeys.DEAD_LETTERS,
                            Map.of(
                                    "lane", "interactive",
                                    "entry", "1-0",
                                    "attempts", "6",
                                    "error", "attempt 6 of at most 5; workers kept failing while running it",
                                    "worker", "worker-1",
                                    "at_ms", Long.toString(now),
                                    "request_id", job.id(),
                                    "job", dev.agentic.model.WireCodec.encodeJob(job)));
        } finally {
            client.shutdown();
        }
    }

    /**
     * {@code scale} and {@code rollout} on the running stack, under a closed-loop load of JSON
     * queries through Nginx: workers 1, 4, 1 (a removed worker drains), ingresses 3 (Nginx reloaded
     * while SSE streams run through it: they end with {@code done}) and back to the default (a
     * removed ingress leaves Nginx first), then a rolling restart of every ingress and worker.
     * Every accepted request is answered right; refusals (429/502/503) are allowed, losses are
     * not.
     */
    @Test
    @Order(7)
    void scaleAndRolloutChangeTheRunningStackUnderLoadAndLoseNothing() throws Exception {
        String base = "http://127.0.0.1:" + env.get("AGENTIC_PORT");
        String key = Files.readString(runDir.resolve("admin-key"), UTF_8).strip();
        QueryLoad load = new QueryLoad(base, key, 6);
        List<CompletableFuture<Void>> streams = new ArrayList<>();
        try (load) {
            for (int workers : List.of(1, SCALED_WORKERS, 1)) {
                Result scale = agentic(SCALE_TIMEOUT, "scale", "workers", Integer.toString(workers));
                assertThat(scale.exitCode()).as("%s", scale).isZero();
                assertThat(running("worker")).as("%s", scale).hasSize(workers);
            }
            // SSE streams (general agent, about a second each) opened back to back by 3 clients
            // for as long as scaling the ingress takes: some are open when Nginx reloads
            AtomicBoolean streaming = new AtomicBoolean(true);
            ConcurrentLinkedQueue<List<SseClient.Frame>> streamed = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < 3; i++) {
                streams.add(CompletableFuture.runAsync(() -> {
                    while (streaming.get()) {
                        try (SseClient.Stream stream = SseClient.post(
                                base + "/api/v1/query",
                                "{\"query\":\"hello\",\"agent_type\":\"general\"}",
                                Map.of("Authorization", "Bearer " + key, "Cache-Control", "no-cache"))) {
                            if (stream.status() == 200) {
                                streamed.add(stream.drain());
                            } else { // refused before acceptance (the tenant's rate: the JSON load shares it)
                                assertThat(stream.status())
                                        .as(stream.bodyText())
                                        .isEqualTo(429);
                                pause(200);
                            }
                        }
                    }
                }));
            }
            Result up = agentic(SCALE_TIMEOUT, "scale", "ingress", Integer.toString(SCALED_INGRESSES));
            streaming.set(false);
            assertThat(up.exitCode()).as("%s", up).isZero();
            assertThat(running("ingress")).hasSize(SCALED_INGRESSES);
            for (CompletableFuture<Void> stream : streams) {
                stream.get(60, TimeUnit.SECONDS);
            }
            assertThat(streamed)
                    .hasSizeGreaterThan(10)
                    .allSatisfy(frames -> assertThat(frames)
                            .as("a stream while the ingress scaled and Nginx reloaded")
                            .last()
                            .extracting(SseClient.Frame::event)
                            .isEqualTo("done"));
            Result back = agentic(SCALE_TIMEOUT, "scale", "ingress", Integer.toString(INGRESSES));
            assertThat(back.exitCode()).as("%s", back).isZero();
            assertThat(running("ingress")).hasSize(INGRESSES);
            Result rollout = agentic(SCALE_TIMEOUT, "rollout");
            assertThat(rollout.exitCode()).as("%s", rollout).isZero();
            assertThat(running("ingress")).hasSize(INGRESSES);
            assertThat(running("worker")).hasSize(1);
            Thread.sleep(2_000); // load through the restarted stack too
        }
        System.out.printf(
                "scale under load: %d answered, refused %s, %d sent again after no reply, %d failures%n",
                load.answered(), load.refused(), load.resent(), load.failures().size());
        assertThat(load.failures()).as("accepted requests not answered right").isEmpty();
        assertThat(load.answered()).isGreaterThan(50);
        IntStream.range(0, SCALED_INGRESSES).forEach(i -> ports.add(ingressBase + i));
        IntStream.range(0, SCALED_WORKERS).forEach(i -> ports.add(workerBase + i));
        Result status = agentic(COMMAND_TIMEOUT, "status");
        assertThat(status.exitCode()).as("%s", status).isZero();
        assertThat(status.stdout()).contains("worker-1").doesNotContain("worker-2", "worker-4", "ingress-3");
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The names of the running processes of a role, from the pid files. */
    private List<String> running(String role) throws IOException {
        try (Stream<Path> files = Files.list(runDir.resolve("pids"))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith(role + "-") && f.endsWith(".pid"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    @Order(8)
    void downStopsEveryProcessAndFreesEveryPort() {
        Result result = agentic(DOWN_TIMEOUT, "down");
        down = true;

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(pids.entrySet()).as("processes left after down").noneMatch(service -> isRunning(service.getValue()));
        assertThat(ports).as("ports still listening after down").noneMatch(CliIT::isListening);
        assertThat(isListening(Integer.parseInt(env.get("AGENTIC_NGINX_TLS_PORT"))))
                .as("Nginx's TLS port after down")
                .isFalse();
        Result status = agentic(COMMAND_TIMEOUT, "status");
        assertThat(status.exitCode()).as("status after down: %s", status).isNotZero();
        assertThat(status.stdout()).contains("Nothing is running");
    }

    @AfterAll
    void alwaysDown() {
        if (runDir == null) {
            return; // nothing was started
        }
        if (!down) {
            agentic(DOWN_TIMEOUT, "down");
        }
        killWhatThePidFilesStillName();
    }

    // -----------------------------------------------------------------------------------------

    private void chooseFreePorts() {
        Set<Integer> taken = new HashSet<>();
        int nginx = freeBase(1, taken);
        int redis = freeBase(1, taken);
        int llm = freeBase(1, taken);
        int tls = freeBase(1, taken);
        // room for the scale test: up to SCALED_INGRESSES and SCALED_WORKERS instances
        int ingressBase = freeBase(Math.max(INGRESSES, SCALED_INGRESSES), taken);
        int workerBase = freeBase(Math.max(WORKERS, SCALED_WORKERS), taken);
        this.ingressBase = ingressBase;
        this.workerBase = workerBase;
        env.put("AGENTIC_PORT", Integer.toString(nginx));
        env.put("AGENTIC_REDIS_PORT", Integer.toString(redis));
        env.put("AGENTIC_LLM_PORT", Integer.toString(llm));
        env.put("AGENTIC_NGINX_TLS_PORT", Integer.toString(tls));
        env.put("AGENTIC_INGRESS_BASE_PORT", Integer.toString(ingressBase));
        env.put("AGENTIC_WORKER_BASE_PORT", Integer.toString(workerBase));
        ports.addAll(List.of(nginx, redis, llm));
        IntStream.range(0, INGRESSES).forEach(i -> ports.add(ingressBase + i));
        IntStream.range(0, WORKERS).forEach(i -> ports.add(workerBase + i));
    }

    /** The first of {@code count} consecutive free ports, none of them {@code taken} (then taken). */
    private static int freeBase(int count, Set<Integer> taken) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = FreePorts.next();
            boolean allFree = base + count - 1 <= 65535
                    && IntStream.range(0, count).allMatch(i -> !taken.contains(base + i) && isFree(base + i));
            if (allFree) {
                IntStream.range(0, count).forEach(i -> taken.add(base + i));
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The output of one {@code bin/agentic} run; -1 as exit code when it was killed at its timeout. */
    record Result(String command, int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "bin/agentic " + command + " exited " + exitCode + "\n--- stdout:\n" + stdout + "\n--- stderr:\n"
                    + stderr;
        }
    }

    /** Runs bin/agentic with the test's environment; past the timeout kills it and its children. */
    private Result agentic(Duration timeout, String... args) {
        int n = ++commands;
        File out = temp.resolve("command-" + n + ".out").toFile();
        File err = temp.resolve("command-" + n + ".err").toFile();
        List<String> command = new ArrayList<>();
        command.add(Stack.root().resolve("bin/agentic").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(Stack.root().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out)
                .redirectError(err);
        // Nothing from the developer's shell (AGENTIC_API_KEY, AGENTIC_PORT...) reaches the script.
        builder.environment().keySet().removeIf(name -> name.startsWith("AGENTIC_"));
        builder.environment().putAll(env);
        int exitCode = run(builder, timeout);
        return new Result(String.join(" ", args), exitCode, read(out), read(err));
    }

    private static int run(ProcessBuilder builder, Duration timeout) {
        try {
            Process process = builder.start();
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + builder.command(), e);
        }
    }

    private static String read(File file) {
        try {
            return Files.readString(file.toPath(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readPids() throws IOException {
        try (Stream<Path> files = Files.list(runDir.resolve("pids"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                String name = file.getFileName().toString().replace(".pid", "");
                pids.put(name, Long.parseLong(Files.readString(file, UTF_8).strip()));
            }
        }
    }

    /**
     * The last resort when {@code down} failed or timed out: SIGKILL to every process a pid file
     * still names (and its children), if it is the very process {@code up} started (same start time
     * as recorded next to the pid, as bin/agentic checks it).
     */
    private void killWhatThePidFilesStillName() {
        Path pidDir = runDir.resolve("pids");
        if (Files.isDirectory(pidDir)) {
            try (Stream<Path> files = Files.list(pidDir)) {
                files.filter(f -> f.toString().endsWith(".pid")).forEach(CliIT::killIfOurs);
            } catch (IOException | UncheckedIOException e) {
                System.err.println("CliIT: could not read " + pidDir + ": " + e);
            }
        }
        // down removes the pid files; the pids read after up are checked too.
        pids.values().stream()
                .filter(CliIT::isRunning)
                .forEach(pid -> System.err.println("CliIT: process " + pid + " outlived the test"));
    }

    private static void killIfOurs(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile, UTF_8).strip());
            Path startFile =
                    pidFile.resolveSibling(pidFile.getFileName().toString().replace(".pid", ".start"));
            Optional<String> recorded = Files.exists(startFile)
                    ? Optional.of(Files.readString(startFile, UTF_8).strip())
                    : Optional.empty();
            Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(p -> isRunning(pid));
            if (process.isPresent() && (recorded.isEmpty() || recorded.equals(startTime(pid)))) {
                System.err.println("CliIT: killing " + pidFile.getFileName() + " (pid " + pid + "), left by down");
                process.get().descendants().forEach(ProcessHandle::destroyForcibly);
                process.get().destroyForcibly();
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("CliIT: could not clean up after " + pidFile + ": " + e);
        }
    }

    /**
     * Alive and not a zombie. The services outlive the {@code up} that started them, so their parent
     * is the init process, which may take its time to reap them: a zombie holds no port and no memory.
     */
    private static boolean isRunning(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent()
                && !procStat(pid).map(fields -> fields[0].equals("Z")).orElse(false);
    }

    /** Field 22 of /proc/PID/stat: the process's start time in clock ticks since boot. */
    private static Optional<String> startTime(long pid) {
        return procStat(pid).filter(fields -> fields.length > 19).map(fields -> fields[19]);
    }

    /** The fields of /proc/PID/stat after "pid (command) ", the state first (a command may hold spaces). */
    private static Optional<String[]> procStat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), UTF_8);
            return Optional.of(
                    COLUMNS.split(stat.substring(stat.lastIndexOf(") ") + 2).strip(), -1));
        } catch (IOException e) {
            return Optional.empty(); // gone
        }
    }
}
