package dev.agentic.e2e.chaos;

import dev.agentic.testsupport.FreePorts;
import dev.agentic.testsupport.NginxServer;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.testsupport.ServiceProcess;
import dev.agentic.testsupport.StackLayout;
import dev.agentic.testsupport.StackLayout.Role;
import dev.agentic.testsupport.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The system under chaos, as separate processes: redis-server with AOF, the LLM simulator, workers,
 * two ingress instances and Nginx in front. Unlike {@code Stack} it can replace what it kills: a
 * worker comes back as a new process under a new name, an ingress on its old port (so Nginx finds it
 * again), Redis on its port and data folder. Every process it starts is remembered, so the suite can
 * check that none outlives it.
 */
final class ChaosCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    /** The bootstrap admin key of the cluster's ingress instances; the clients send it. */
    static final String ADMIN_KEY = "agk_00000000000000c1_chaos-admin-secret-0123456789";
    /** Each role's flags: config/stack.env, as bin/agentic and the e2e Stack read it. */
    private static final StackLayout LAYOUT = StackLayout.load(root());

    /** A process the cluster started: its pid and start instant (a reused pid is not a leak). */
    record Started(String name, long pid, Optional<Instant> startedAt) {
        static Started of(String name, long pid) {
            return new Started(
                    name, pid, ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()));
        }

        boolean isAlive() {
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(h -> startedAt.isEmpty()
                            || h.info()
                                    .startInstant()
                                    .map(startedAt.get()::equals)
                                    .orElse(true))
                    .isPresent();
        }
    }

    /** A worker process and the name it consumes under. */
    record Worker(String name, int port, ServiceProcess process) {
        String readyUrl() {
            return "http://127.0.0.1:" + port + "/actuator/health/readiness";
        }
    }

    /** One ingress slot: a fixed port behind Nginx, and the process currently serving it. */
    static final class Ingress {
        final int index;
        final int port;
        volatile ServiceProcess process;
        int generation = 1;

        Ingress(int index, int port, ServiceProcess process) {
            this.index = index;
            this.port = port;
            this.process = process;
        }

        String readyUrl() {
            return "http://127.0.0.1:" + port + "/api/v1/monitoring/ready";
        }
    }

    private final ChaosConfig config;
    private final Path logs;
    private final RedisServer redis;
    private final ServiceProcess llm;
    private final String llmUrl;
    private final List<Worker> workers = new ArrayList<>();
    private final List<Ingress> ingresses = new ArrayList<>();
    private final List<ServiceProcess> everyService = new CopyOnWriteArrayList<>();
    private final List<Started> started = new CopyOnWriteArrayList<>();
    private final NginxServer nginx;
    private int workerCounter;
    private boolean closed;

    ChaosCluster(ChaosConfig config, Path logs, int ingressCount) {
        this.config = config;
        this.logs = logs;
        try {
            Files.createDirectories(logs);
            // Run every process, replacements included, from copies: a rebuild during the run
            // must not change (or half-write) the code under test.
            Files.createDirectories(logs.resolve("jars"));
            for (String module : List.of("loadtest", "worker", "ingress-api")) {
                Files.copy(builtJar(module), jar(module), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // appendfsync always: under everysec, Redis postpones its AOF write for up to 2 s while a slow
        // fsync is in progress, and still answers; a kill -9 then drops events clients already got
        // (seen in a fresh-clone CI run: 17 streams held an event the reloaded log did not).
        List<String> redisArgs = new ArrayList<>(RedisServer.BOUNDED_MEMORY);
        redisArgs.addAll(List.of("--appendfsync", System.getProperty("chaos.appendfsync", "always")));
        redis = RedisServer.start(true, redisArgs);
        started.add(Started.of("redis-server", redis.pid()));
        int llmPort = FreePorts.next();
        llmUrl = "http://127.0.0.1:" + llmPort + "/v1";
        llm = track(ServiceProcess.startJar(
                "llm-simulator",
                jar("loadtest"),
                LAYOUT.args(
                        Role.LLM,
                        Map.of("port", Integer.toString(llmPort)),
                        List.of(
                                "--ttft=" + config.ttft().toMillis() + "ms",
                                "--inter-token=" + config.interToken().toMillis() + "ms",
                                "--tokens=" + config.tokens(),
                                "--max-concurrency=" + Math.max(1000, 4 * config.requests()))),
                Map.of(),
                logs));
        List<Worker> first = new ArrayList<>();
        for (int i = 0; i < config.workers(); i++) {
            first.add(launchWorker());
        }
        for (int i = 1; i <= ingressCount; i++) {
            int port = FreePorts.next();
            ingresses.add(new Ingress(i, port, launchIngress(i, 1, port)));
        }
        llm.awaitHealthy("http://127.0.0.1:" + llmPort + "/health", START_TIMEOUT);
        for (Ingress ingress : ingresses) {
            ingress.process.awaitHealthy(ingress.readyUrl(), START_TIMEOUT);
        }
        for (Worker worker : first) {
            worker.process().awaitHealthy(worker.readyUrl(), START_TIMEOUT);
        }
        nginx = NginxServer.start(
                root().resolve("nginx/agentic.conf.template"),
                ingresses.stream().map(i -> i.port).toList(),
                NginxServer.ClientLimits.TEST_STACK);
        trackNginx();
    }

    String url(String path) {
        return nginx.baseUrl() + path;
    }

    String redisUri() {
        return redis.uri();
    }

    Path logs() {
        return logs;
    }

    synchronized List<Worker> workers() {
        return List.copyOf(workers);
    }

    List<Ingress> ingresses() {
        return List.copyOf(ingresses);
    }

    /** Every process started so far, including the ones killed on purpose. */
    List<Started> started() {
        return List.copyOf(started);
    }

    /** Starts a worker under the next unused name ({@code worker-N}); does not wait for it. */
    synchronized Worker launchWorker() {
        String name = "worker-" + (++workerCounter);
        int port = FreePorts.next();
        ServiceProcess process = track(ServiceProcess.startJar(
                name,
                jar("worker"),
                LAYOUT.args(
                        Role.WORKER,
                        Map.of(
                                "port", Integer.toString(port),
                                "name", name,
                                "redis_uri", redis.uri(),
                                "llm_url", llmUrl,
                                "data_dir", logs.toString()),
                        List.of(
                                "--agentic.worker.concurrency=" + config.workerConcurrency(),
                                "--agentic.worker.reclaim-timeout="
                                        + config.reclaimTimeout().toSeconds() + "s",
                                "--agentic.worker.max-deliveries=5")),
                Map.of(),
                logs));
        Worker worker = new Worker(name, port, process);
        workers.add(worker);
        return worker;
    }

    /** SIGKILL, as a crash would; the worker leaves the pool (its jobs stay pending in Redis). */
    synchronized void killWorker(Worker worker) {
        worker.process().kill();
        workers.remove(worker);
    }

    /** SIGKILL of the ingress in {@code slot}, then a new process on the same port. */
    ServiceProcess killAndRestartIngress(Ingress slot) {
        slot.process.kill();
        slot.generation++;
        slot.process = launchIngress(slot.index, slot.generation, slot.port);
        return slot.process;
    }

    long redisPid() {
        return redis.pid();
    }

    void killRedis() {
        redis.kill();
    }

    /** Starts redis-server again on its port and data folder: it loads its AOF. */
    void restartRedis() {
        redis.restart();
        started.add(Started.of("redis-server (restarted)", redis.pid()));
    }

    /** Waits for a started process to be ready; false (with the reason in the log) if it is not. */
    static boolean awaitReady(ServiceProcess process, String url, Duration timeout) {
        try {
            process.awaitHealthy(url, timeout);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    static boolean isReady(String url) {
        return Waits.httpOk(url);
    }

    /** Lines of every service log (and Nginx's error log) that mention {@code needle}, at most {@code max}. */
    List<String> grepLogs(String needle, int max) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.contains(needle) && found.size() < max) {
                        found.add(file.getFileName() + ": " + line);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            found.add("(cannot read logs: " + e.getMessage() + ")");
        }
        return found;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            nginx.close();
        } finally {
            // Stop services in parallel: each may take its shutdown grace.
            List<Thread> stopping = everyService.stream()
                    .map(p -> Thread.ofVirtual().start(p::close))
                    .toList();
            for (Thread t : stopping) {
                try {
                    t.join(Duration.ofSeconds(40));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            redis.close();
            copy(nginx.prefix().resolve("error.log"), logs.resolve("nginx-error.log"));
            for (String module : List.of("loadtest", "worker", "ingress-api")) {
                try {
                    Files.deleteIfExists(jar(module));
                } catch (IOException e) {
                    // left behind in target/: harmless
                }
            }
        }
    }

    private ServiceProcess launchIngress(int index, int generation, int port) {
        String name = "ingress-" + index + (generation == 1 ? "" : "-gen" + generation);
        return track(ServiceProcess.startJar(
                name,
                jar("ingress-api"),
                LAYOUT.args(
                        Role.INGRESS,
                        Map.of("port", Integer.toString(port), "name", name, "redis_uri", redis.uri()),
                        List.of("--agentic.ingress.agents=general", "--agentic.ingress.disconnect-grace=120s")),
                Map.of("AGENTIC_SECURITY_BOOTSTRAPKEY", ADMIN_KEY),
                logs));
    }

    private ServiceProcess track(ServiceProcess process) {
        everyService.add(process);
        started.add(Started.of(process.name(), process.pid()));
        return process;
    }

    /** The Nginx master (from its pid file) and its worker processes. */
    private void trackNginx() {
        Path pidFile = nginx.prefix().resolve("nginx.pid");
        Waits.until("nginx pid file", Duration.ofSeconds(10), () -> Files.isRegularFile(pidFile));
        try {
            long master = Long.parseLong(Files.readString(pidFile).trim());
            started.add(Started.of("nginx master", master));
            Waits.until(
                    "nginx worker processes",
                    Duration.ofSeconds(10),
                    () -> ProcessHandle.of(master)
                            .map(h -> h.children().findAny().isPresent())
                            .orElse(true));
            ProcessHandle.of(master)
                    .ifPresent(h -> h.children().forEach(c -> started.add(Started.of("nginx worker", c.pid()))));
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read " + pidFile, e);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            if (Files.isRegularFile(from)) {
                Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // Only a convenience for reading failures.
        }
    }

    static Path root() {
        return Path.of(System.getProperty("agentic.root", ".."))
                .toAbsolutePath()
                .normalize();
    }

    private static Path builtJar(String module) {
        String version = System.getProperty("agentic.version", "0.1.0-SNAPSHOT");
        Path jar = root().resolve(module + "/target/" + module + "-" + version + "-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (mvn install -DskipTests)");
        }
        return jar;
    }

    private Path jar(String module) {
        return logs.resolve("jars").resolve(module + ".jar");
    }

    @Nullable
    Worker worker(String name) {
        synchronized (this) {
            return workers.stream()
                    .filter(w -> w.name().equals(name))
                    .findFirst()
                    .orElse(null);
        }
    }
}
