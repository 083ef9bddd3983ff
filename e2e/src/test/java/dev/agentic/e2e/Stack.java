package dev.agentic.e2e;

import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.FreePorts;
import dev.agentic.testsupport.NginxServer;
import dev.agentic.testsupport.RedisServer;
import dev.agentic.testsupport.ServiceProcess;
import dev.agentic.testsupport.StackLayout;
import dev.agentic.testsupport.StackLayout.Role;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole system as separate processes: redis-server (AOF), the LLM simulator, workers, ingress
 * instances and Nginx in front, all on free loopback ports, built from this checkout's jars. Each
 * process gets its role's flags from config/stack.env (the file bin/agentic starts from), plus what
 * a suite adds.
 */
final class Stack implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** The bootstrap admin key every ingress of the stack is started with (tenant {@code public}). */
    static final String ADMIN_KEY = "agk_00000000000000e1_e2e-admin-secret-0123456789";
    /** How the bootstrap key reaches an ingress, as bin/agentic gives it: in the environment. */
    static final String BOOTSTRAP_KEY_VARIABLE = "AGENTIC_SECURITY_BOOTSTRAPKEY";
    /** Ports, counts and each role's flags: config/stack.env, as bin/agentic reads it. */
    static final StackLayout LAYOUT = StackLayout.load(root());

    final RedisServer redis;
    final ServiceProcess llm;
    final List<ServiceProcess> workers = new ArrayList<>();
    final List<ServiceProcess> ingresses = new ArrayList<>();
    /** Each worker's management port and each ingress instance's own port, in start order. */
    final List<Integer> workerPorts = new ArrayList<>();

    final List<Integer> ingressPorts = new ArrayList<>();
    final NginxServer nginx;
    final RedisClient client;
    final StatefulRedisConnection<String, String> connection;
    private final Path logs;
    /** Everything started so far, so a failed start-up leaves no process behind. */
    private final List<AutoCloseable> started = new ArrayList<>();

    /** The default size of config/stack.env (bin/agentic up without options). */
    Stack() {
        this(LAYOUT.ingresses(), LAYOUT.workers());
    }

    Stack(int ingressCount, int workerCount) {
        this(ingressCount, workerCount, 2, List.of());
    }

    /**
     * @param workerConcurrency jobs each worker runs at once
     * @param ingressArgs more arguments for every ingress instance (e.g. admission thresholds)
     */
    Stack(int ingressCount, int workerCount, int workerConcurrency, List<String> ingressArgs) {
        this(ingressCount, workerCount, workerConcurrency, ingressArgs, worker -> List.of());
    }

    /**
     * @param workerArgs more arguments for worker {@code i} (counted from 1)
     */
    Stack(
            int ingressCount,
            int workerCount,
            int workerConcurrency,
            List<String> ingressArgs,
            java.util.function.IntFunction<List<String>> workerArgs) {
        this(ingressCount, workerCount, workerConcurrency, ingressArgs, workerArgs, service -> Map.of());
    }

    /**
     * @param serviceEnv more environment for the ingress or worker named (e.g. {@code worker-1}): the
     *     OpenTelemetry agent's variables
     */
    Stack(
            int ingressCount,
            int workerCount,
            int workerConcurrency,
            List<String> ingressArgs,
            java.util.function.IntFunction<List<String>> workerArgs,
            java.util.function.Function<String, Map<String, String>> serviceEnv) {
        try {
            logs = Files.createTempDirectory("agentic-e2e-");
            redis = RedisServer.start(true, RedisServer.BOUNDED_MEMORY);
            started.add(redis);
            int llmPort = FreePorts.next();
            // A faster simulator than bin/agentic's, so the suites spend less time waiting.
            llm = ServiceProcess.startJar(
                    "llm-simulator",
                    jar("loadtest"),
                    LAYOUT.args(
                            Role.LLM,
                            Map.of("port", Integer.toString(llmPort)),
                            List.of("--ttft=50ms", "--inter-token=10ms", "--tokens=20")),
                    Map.of(),
                    logs);
            started.add(llm);
            for (int i = 1; i <= workerCount; i++) {
                int port = FreePorts.next();
                workerPorts.add(port);
                workers.add(ServiceProcess.startJar(
                        "worker-" + i,
                        jar("worker"),
                        LAYOUT.args(
                                Role.WORKER,
                                Map.of(
                                        "port", Integer.toString(port),
                                        "name", "worker-" + i,
                                        "redis_uri", redis.uri(),
                                        "llm_url", "http://127.0.0.1:" + llmPort + "/v1",
                                        "data_dir", logs.toString()),
                                concat(
                                        List.of(
                                                "--agentic.worker.concurrency=" + workerConcurrency,
                                                "--agentic.worker.diagnostic-agent=true"),
                                        workerArgs.apply(i))),
                        serviceEnv.apply("worker-" + i),
                        logs));
            }
            for (int i = 1; i <= ingressCount; i++) {
                int port = FreePorts.next();
                ingressPorts.add(port);
                ingresses.add(ServiceProcess.startJar(
                        "ingress-" + i,
                        jar("ingress-api"),
                        LAYOUT.args(
                                Role.INGRESS,
                                Map.of(
                                        "port", Integer.toString(port),
                                        "name", "ingress-" + i,
                                        "redis_uri", redis.uri()),
                                concat(List.of("--agentic.ingress.agents=math,general,rag,diagnostic"), ingressArgs)),
                        with(serviceEnv.apply("ingress-" + i), BOOTSTRAP_KEY_VARIABLE, ADMIN_KEY),
                        logs));
            }
            llm.awaitHealthy("http://127.0.0.1:" + llmPort + "/health", START_TIMEOUT);
            for (int i = 0; i < ingressCount; i++) {
                ingresses
                        .get(i)
                        .awaitHealthy(
                                "http://127.0.0.1:" + ingressPorts.get(i) + "/api/v1/monitoring/ready", START_TIMEOUT);
            }
            for (int i = 0; i < workerCount; i++) {
                workers.get(i)
                        .awaitHealthy(
                                "http://127.0.0.1:" + workerPorts.get(i) + "/actuator/health/readiness", START_TIMEOUT);
            }
            nginx = NginxServer.start(
                    root().resolve("nginx/agentic.conf.template"), ingressPorts, NginxServer.ClientLimits.TEST_STACK);
            started.add(nginx);
            client = new RedisSettings(redis.uri(), Duration.ofSeconds(5), Duration.ofSeconds(2)).createClient();
            connection = client.connect();
        } catch (java.io.IOException e) {
            closeStarted();
            throw new java.io.UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            closeStarted();
            throw e;
        }
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put(name, value);
        return all;
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private void closeStarted() {
        workers.forEach(started::add);
        ingresses.forEach(started::add);
        for (AutoCloseable process : started.reversed()) {
            try {
                process.close();
            } catch (Exception ignored) {
                // best effort: the rest must still be closed
            }
        }
    }

    String url(String path) {
        return nginx.baseUrl() + path;
    }

    /** Headers that authenticate as the stack's admin key, plus {@code extra}. */
    static Map<String, String> auth(Map<String, String> extra) {
        Map<String, String> headers = new java.util.HashMap<>(extra);
        headers.put("Authorization", "Bearer " + ADMIN_KEY);
        return headers;
    }

    static Map<String, String> auth() {
        return auth(Map.of());
    }

    static Path root() {
        return Path.of(System.getProperty("agentic.root", ".."))
                .toAbsolutePath()
                .normalize();
    }

    private static Path jar(String module) {
        String version = System.getProperty("agentic.version", "0.1.0-SNAPSHOT");
        return root().resolve(module + "/target/" + module + "-" + version + "-exec.jar");
    }

    /** Every service's log, for a failing test's message. */
    String logs() {
        StringBuilder all = new StringBuilder();
        for (ServiceProcess p : allServices()) {
            all.append("=== ")
                    .append(p.name())
                    .append(" ===\n")
                    .append(p.logTail(30))
                    .append('\n');
        }
        return all.toString();
    }

    List<ServiceProcess> allServices() {
        List<ServiceProcess> all = new ArrayList<>(ingresses);
        all.addAll(workers);
        all.add(llm);
        return all;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            client.shutdown();
        }
        if (nginx != null) {
            nginx.close();
        }
        allServices().forEach(ServiceProcess::close);
        redis.close();
    }
}
