package dev.agentic.loadtest.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark harness of issue 11: every scenario against a running stack ({@code bin/agentic
 * up}), each figure the median of its repetitions with min and max, baselines from the same run;
 * prints a table and writes the whole result as JSON.
 *
 * <p>Scenarios: {@code calibration} (redis-benchmark XADD and PUBLISH, 50 clients), {@code hop}
 * (time to first token through the system minus the simulator's own, at 1, 100, 1,000 streams),
 * {@code throughput} (math JSON queries at 1, 16, 64 clients through Nginx, to one ingress, and to
 * the BullMQ peer; CPU per request of each process, Redis commands and Redis CPU per request),
 * {@code relay} (tokens per second to 500 SSE clients, text verified), {@code streams} (streams
 * held at 1k, 5k, 10k: count, live heap per stream, 5xx; last, as it may exhaust an ingress's
 * heap) and {@code scaling} (general-agent throughput against the simulator's ceiling with the
 * stack's worker count) and {@code original} (answers of 5 s at rising concurrency against the original
 * design's 6 concurrent requests and 60–120 requests a minute). See docs/benchmarks.md.
 */
public final class Bench {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final List<String> SCENARIOS =
            List.of("calibration", "hop", "throughput", "relay", "scaling", "original", "streams");
    private static final Pattern CSV_RPS = Pattern.compile("^\"[^\"]*\",\"([0-9.]+)\"");
    private static final String GENERAL = "{\"query\":\"Tell me about queues\",\"agent_type\":\"general\"}";

    private final Options options;
    private final StackInfo stack;
    private final SimulatorSwap llm;
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Object> results = new LinkedHashMap<>();
    private double publishRate = Double.NaN;

    private Bench(Options options, StackInfo stack, SimulatorSwap llm) {
        this.options = options;
        this.stack = stack;
        this.llm = llm;
    }

    /** What the command line chose; see {@link #usage()}. */
    record Options(
            boolean quick,
            int reps,
            Path runDir,
            String url,
            int redisPort,
            int llmPort,
            String key,
            Path out,
            Path peerDir,
            Set<String> only,
            int peerWorkers,
            int peerConcurrency) {

        static Options parse(String[] args) {
            Map<String, String> given = new LinkedHashMap<>();
            for (String arg : args) {
                if (arg.equals("--quick")) {
                    given.put("quick", "true");
                } else if (arg.equals("--help") || arg.equals("-h")) {
                    System.out.println(usage());
                    System.exit(0);
                } else if (arg.startsWith("--") && arg.contains("=")) {
                    given.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
                } else {
                    throw new IllegalArgumentException("unknown argument " + arg + "\n" + usage());
                }
            }
            boolean quick = given.containsKey("quick");
            Path runDir = Path.of(given.getOrDefault("run-dir", env("AGENTIC_RUN_DIR", ".run")))
                    .toAbsolutePath();
            String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                    .withZone(ZoneOffset.UTC)
                    .format(Instant.now());
            Path out = Path.of(given.getOrDefault(
                    "out", runDir.resolve("bench/results-" + stamp + ".json").toString()));
            Set<String> only = Set.copyOf(List.of(
                    given.getOrDefault("only", String.join(",", SCENARIOS)).split(",")));
            for (String scenario : only) {
                if (!SCENARIOS.contains(scenario)) {
                    throw new IllegalArgumentException("unknown scenario " + scenario + "; known: " + SCENARIOS);
                }
            }
            return new Options(
                    quick,
                    Integer.parseInt(given.getOrDefault("reps", quick ? "1" : "3")),
                    runDir,
                    given.getOrDefault("url", "http://127.0.0.1:" + env("AGENTIC_PORT", "8080")),
                    Integer.parseInt(given.getOrDefault("redis-port", env("AGENTIC_REDIS_PORT", "6390"))),
                    Integer.parseInt(given.getOrDefault("llm-port", env("AGENTIC_LLM_PORT", "8090"))),
                    given.getOrDefault("key", env("AGENTIC_API_KEY", "")),
                    out,
                    Path.of(given.getOrDefault("peer-dir", "loadtest/peers/bullmq"))
                            .toAbsolutePath(),
                    only,
                    Integer.parseInt(given.getOrDefault("peer-workers", "2")),
                    Integer.parseInt(given.getOrDefault("peer-concurrency", "4")));
        }

        /** Full-run value or quick-run value. */
        <T> T pick(T full, T quickValue) {
            return quick ? quickValue : full;
        }
    }

    static String usage() {
        return """
                Usage: java -cp loadtest-<version>.jar dev.agentic.loadtest.bench.Bench [options]
                  --quick                 seconds long: tiny counts, 1 repetition
                  --reps=N                repetitions per figure [3; quick 1]
                  --only=a,b              scenarios %s [all]
                  --run-dir=DIR           the stack's run dir [$AGENTIC_RUN_DIR or .run]
                  --url=URL               Nginx [http://127.0.0.1:$AGENTIC_PORT]
                  --redis-port=N          [$AGENTIC_REDIS_PORT or 6390]
                  --llm-port=N            [$AGENTIC_LLM_PORT or 8090]
                  --key=KEY               admin API key [$AGENTIC_API_KEY, else RUN_DIR/admin-key]
                  --out=FILE              JSON results [RUN_DIR/bench/results-<UTC time>.json]
                  --peer-dir=DIR          the BullMQ peer [loadtest/peers/bullmq]
                  --peer-workers=N --peer-concurrency=N   [2, 4]
                """.formatted(SCENARIOS);
    }

    /** A line of the table: a figure, with its same-run baseline when it has one. */
    record Row(
            String scenario,
            String measure,
            Summary value,
            String baselineName,
            @Nullable Summary baseline) {}

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        StackInfo stack =
                StackInfo.read(options.runDir(), options.url(), options.redisPort(), options.llmPort(), options.key());
        try (SimulatorSwap llm = new SimulatorSwap(options.runDir(), options.llmPort())) {
            Bench bench = new Bench(options, stack, llm);
            Runtime.getRuntime().addShutdownHook(new Thread(llm::close));
            bench.run();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf(
                Locale.ROOT,
                "bench %s: %s, %d repetition(s), %d cores, %d ingress, %d worker(s) with %d slots in all%n",
                options.quick() ? "--quick" : "(full)",
                stack.url(),
                options.reps(),
                Runtime.getRuntime().availableProcessors(),
                stack.ingressUrls().size(),
                stack.ofRole("worker").size(),
                stack.workerSlots());
        results.put("started", Instant.now().toString());
        results.put("quick", options.quick());
        results.put("repetitions", options.reps());
        results.put(
                "machine",
                Map.of(
                        "cores", Runtime.getRuntime().availableProcessors(),
                        "load_average_at_start",
                                Files.readString(Path.of("/proc/loadavg")).strip()));
        results.put(
                "stack",
                Map.of(
                        "url", stack.url(),
                        "ingress", stack.ingressUrls(),
                        "workers", stack.ofRole("worker").size(),
                        "worker_slots", stack.workerSlots(),
                        "simulator_swappable", llm.possible()));
        Map<String, Object> scenarios = new LinkedHashMap<>();
        results.put("scenarios", scenarios);
        liftLimits(true);
        try {
            for (String scenario : SCENARIOS) {
                if (!options.only().contains(scenario)) {
                    continue;
                }
                System.out.println("== " + scenario);
                long start = System.nanoTime();
                Map<String, Object> result;
                try {
                    result = switch (scenario) {
                        case "calibration" -> calibration();
                        case "hop" -> hop();
                        case "throughput" -> throughput();
                        case "relay" -> relay();
                        case "streams" -> streams();
                        case "scaling" -> scaling();
                        case "original" -> original();
                        default -> throw new IllegalStateException(scenario);
                    };
                } catch (RuntimeException | IOException e) {
                    e.printStackTrace();
                    result = new LinkedHashMap<>();
                    result.put("error", e.toString());
                }
                result.put("seconds", Summary.round((System.nanoTime() - start) / 1e9));
                scenarios.put(scenario, result);
                writeResults(); // after each scenario: an interrupted run keeps what it measured
            }
        } finally {
            liftLimits(false);
        }
        results.put("finished", Instant.now().toString());
        writeResults();
        printTable();
        System.out.println("\nresults: " + options.out());
    }

    private void writeResults() throws IOException {
        results.put("table", rows.stream().map(Bench::rowJson).toList());
        Files.createDirectories(options.out().toAbsolutePath().getParent());
        Files.writeString(options.out(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
    }

    // ---------------------------------------------------------------------------------------------
    // calibration

    private Map<String, Object> calibration() {
        int requests = options.pick(200_000, 5_000);
        List<Double> publish = new ArrayList<>();
        List<Double> xadd = new ArrayList<>();
        for (int rep = 0; rep < options.reps(); rep++) {
            publish.add(redisBenchmark(requests, "PUBLISH", "bench:calibration", "hello"));
            xadd.add(redisBenchmark(
                    requests, "XADD", "bench:calibration:stream", "MAXLEN", "~", "10000", "*", "f", "v"));
        }
        try (RedisProbe redis = new RedisProbe(stack.redisPort())) {
            redis.command("DEL", "bench:calibration:stream");
        } catch (IOException e) {
            System.err.println("bench: could not delete bench:calibration:stream: " + e.getMessage());
        }
        Summary pub = Summary.of("ops/s", publish);
        Summary add = Summary.of("ops/s", xadd);
        publishRate = pub.median();
        add("calibration", "redis-benchmark PUBLISH, 50 clients", pub);
        add("calibration", "redis-benchmark XADD, 50 clients", add);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("requests_per_run", requests);
        result.put("publish", pub.json());
        result.put("xadd", add.json());
        return result;
    }

    private double redisBenchmark(int requests, String... command) {
        List<String> line = new ArrayList<>(List.of(
                "redis-benchmark",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(stack.redisPort()),
                "-c",
                "50",
                "-n",
                Integer.toString(requests),
                "--csv"));
        line.addAll(List.of(command));
        String out = Procs.run(line, 600);
        for (String row : out.split("\n")) {
            Matcher m = CSV_RPS.matcher(row.strip());
            if (m.find()) {
                return Double.parseDouble(m.group(1));
            }
        }
        throw new IllegalStateException("no rate in redis-benchmark's output: " + out);
    }

    // ---------------------------------------------------------------------------------------------
    // hop on time to first token

    private Map<String, Object> hop() {
        llm.use("200ms", "20ms", 40);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("simulator", llm.profile());
        for (int streams : options.pick(List.of(1, 100, 1000), List.of(1, 2, 4))) {
            List<Double> hopP50 = new ArrayList<>();
            List<Double> hopP99 = new ArrayList<>();
            List<Double> directP50 = new ArrayList<>();
            List<Double> systemP50 = new ArrayList<>();
            long failed = 0;
            // at 1 stream one sample is noise: take several sequential samples per repetition
            int rounds = streams == 1 ? options.pick(20, 3) : 1;
            // warm-up: one unmeasured round at this concurrency (connections, JIT, worker slots)
            concurrently(streams, i -> Http.stream(directLlm(), () -> true));
            concurrently(streams, i -> Http.stream(Http.streamQuery(stack.url(), stack.key(), GENERAL), () -> false));
            for (int rep = 0; rep < options.reps(); rep++) {
                List<Double> direct = new ArrayList<>();
                List<Double> system = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    direct.addAll(ttfts(concurrently(streams, i -> Http.stream(directLlm(), () -> true)), null));
                    List<Http.StreamResult> sys = concurrently(
                            streams,
                            i -> Http.stream(Http.streamQuery(stack.url(), stack.key(), GENERAL), () -> false));
                    failed += sys.stream().filter(r -> r.firstTokenNanos() < 0).count();
                    system.addAll(ttfts(sys, null));
                }
                List<Double> d = Summary.sorted(direct);
                List<Double> s = Summary.sorted(system);
                if (s.isEmpty() || d.isEmpty()) {
                    continue;
                }
                directP50.add(Summary.percentile(d, 0.5));
                systemP50.add(Summary.percentile(s, 0.5));
                hopP50.add(Summary.percentile(s, 0.5) - Summary.percentile(d, 0.5));
                hopP99.add(Summary.percentile(s, 0.99) - Summary.percentile(d, 0.99));
            }
            Map<String, Object> level = new LinkedHashMap<>();
            level.put("failed_streams", failed);
            if (!hopP50.isEmpty()) {
                Summary direct = Summary.of("ms", directP50);
                add(
                        "hop",
                        "TTFT hop p50 at " + streams + " streams",
                        Summary.of("ms", hopP50),
                        "simulator TTFT p50 direct",
                        direct);
                add("hop", "TTFT hop p99 at " + streams + " streams", Summary.of("ms", hopP99));
                level.put("hop_p50", Summary.of("ms", hopP50).json());
                level.put("hop_p99", Summary.of("ms", hopP99).json());
                level.put("system_ttft_p50", Summary.of("ms", systemP50).json());
                level.put("simulator_direct_ttft_p50", direct.json());
            }
            result.put(Integer.toString(streams), level);
        }
        return result;
    }

    private HttpRequest directLlm() {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.llmPort() + "/v1/chat/completions"))
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(
                        HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about queues\"}]}"))
                .build();
    }

    /** Milliseconds to the first token of each stream; the simulator's chunks count as tokens when {@code type} is null. */
    private static List<Double> ttfts(List<Http.StreamResult> results, @Nullable String type) {
        List<Double> millis = new ArrayList<>();
        for (Http.StreamResult result : results) {
            if (result.firstTokenNanos() >= 0) {
                millis.add(result.firstTokenNanos() / 1e6);
            } else if (type == null && result.status() == 200) {
                // a simulator stream: its first "data:" chunk with content is the first token
                millis.add(result.endNanos() / 1e6);
            }
        }
        return millis;
    }

    /** Runs n tasks at once (released together) on virtual threads; returns their results in order. */
    private static <T> List<T> concurrently(int n, Function<Integer, T> task) {
        CountDownLatch gate = new CountDownLatch(1);
        List<java.util.concurrent.Future<T>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    gate.await();
                    return task.apply(index);
                }));
            }
            gate.countDown();
            List<T> results = new ArrayList<>();
            for (java.util.concurrent.Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // throughput, CPU and Redis per request

    private Map<String, Object> throughput() throws IOException {
        List<Integer> levels = options.pick(List.of(1, 16, 64), List.of(1, 4));
        Duration duration = options.pick(Duration.ofSeconds(10), Duration.ofSeconds(1));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("seconds_per_run", duration.toSeconds());
        Map<String, Summary> topRates = new LinkedHashMap<>();
        String ingress = stack.ingressUrls().isEmpty()
                ? stack.url()
                : stack.ingressUrls().getFirst();
        result.put(
                "nginx",
                throughputOf("nginx", stack.url(), stack.key(), levels, duration, stack.redisPort(), topRates, true));
        result.put(
                "ingress",
                throughputOf("ingress", ingress, stack.key(), levels, duration, stack.redisPort(), topRates, true));
        String unavailable = BullmqPeer.unavailable(options.peerDir());
        if (!unavailable.isEmpty()) {
            result.put("bullmq", Map.of("skipped", unavailable));
            System.out.println("  bullmq peer skipped: " + unavailable);
            return result;
        }
        try (BullmqPeer peer = BullmqPeer.start(options.peerDir(), options.peerWorkers(), options.peerConcurrency())) {
            Map<String, Object> peerResult = throughputOf(
                    "bullmq", peer.url(), "", levels, duration, peer.redisPort(), topRates, false, peer.processes());
            peerResult.put("workers", options.peerWorkers());
            peerResult.put("concurrency", options.peerConcurrency());
            result.put("bullmq", peerResult);
        }
        Summary nginx = topRates.get("nginx");
        Summary bull = topRates.get("bullmq");
        if (nginx != null && bull != null) {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < Math.min(nginx.values().size(), bull.values().size()); i++) {
                ratios.add(nginx.values().get(i) / bull.values().get(i));
            }
            Summary ratio = Summary.of("x", ratios);
            add("throughput", "ratio nginx / bullmq at " + levels.getLast() + " clients", ratio);
            result.put("ratio_nginx_to_bullmq", ratio.json());
        }
        return result;
    }

    private Map<String, Object> throughputOf(
            String target,
            String base,
            String key,
            List<Integer> levels,
            Duration duration,
            int redisPort,
            Map<String, Summary> topRates,
            boolean stackProcesses)
            throws IOException {
        return throughputOf(target, base, key, levels, duration, redisPort, topRates, stackProcesses, List.of());
    }

    private Map<String, Object> throughputOf(
            String target,
            String base,
            String key,
            List<Integer> levels,
            Duration duration,
            int redisPort,
            Map<String, Summary> topRates,
            boolean stackProcesses,
            List<Procs.Proc> peerProcs)
            throws IOException {
        Map<String, Object> result = new LinkedHashMap<>();
        List<Procs.Proc> warmProcs = stackProcesses ? stack.processes(llm) : peerProcs;
        result.put("warm_up_seconds", warmUp(base, key, levels.getLast(), warmProcs));
        for (int clients : levels) {
            List<Double> rates = new ArrayList<>();
            List<Double> p50s = new ArrayList<>();
            List<Double> p99s = new ArrayList<>();
            Map<String, List<Double>> cpuPerRequest = new TreeMap<>();
            List<Double> redisCommands = new ArrayList<>();
            List<Double> redisCpu = new ArrayList<>();
            Map<String, Long> errors = new TreeMap<>();
            Map<String, Double> commandMix = new TreeMap<>();
            for (int rep = 0; rep < options.reps(); rep++) {
                List<Procs.Proc> procs = stackProcesses ? stack.processes(llm) : peerProcs;
                Map<String, Double> cpuBefore = Procs.cpuMillis(procs);
                Map<String, Long> callsBefore;
                double redisCpuBefore;
                try (RedisProbe redis = new RedisProbe(redisPort)) {
                    callsBefore = redis.commandCalls();
                    redisCpuBefore = redis.cpuMillis();
                }
                LoopResult loop = closedLoop(base, key, clients, duration);
                Map<String, Double> cpuAfter = Procs.cpuMillis(procs);
                Map<String, Long> callsAfter;
                double redisCpuAfter;
                try (RedisProbe redis = new RedisProbe(redisPort)) {
                    callsAfter = redis.commandCalls();
                    redisCpuAfter = redis.cpuMillis();
                }
                loop.errors().forEach((status, n) -> errors.merge(status, n, Long::sum));
                long ok = loop.latencies().size();
                if (ok == 0) {
                    continue;
                }
                rates.add(ok / loop.seconds());
                List<Double> sorted = Summary.sorted(loop.latencies());
                p50s.add(Summary.percentile(sorted, 0.5));
                p99s.add(Summary.percentile(sorted, 0.99));
                double total = 0;
                for (Map.Entry<String, Double> entry : cpuAfter.entrySet()) {
                    double perRequest = (entry.getValue() - cpuBefore.getOrDefault(entry.getKey(), 0.0)) / ok;
                    cpuPerRequest
                            .computeIfAbsent(entry.getKey(), k -> new ArrayList<>())
                            .add(perRequest);
                    total += perRequest;
                }
                cpuPerRequest
                        .computeIfAbsent("all processes", k -> new ArrayList<>())
                        .add(total);
                long commands = 0;
                for (Map.Entry<String, Long> entry : callsAfter.entrySet()) {
                    if (entry.getKey().equals("info")) {
                        continue; // the probe's own INFO calls
                    }
                    long delta = entry.getValue() - callsBefore.getOrDefault(entry.getKey(), 0L);
                    commands += delta;
                    if (delta > 0) {
                        commandMix.merge(entry.getKey(), (double) delta / ok / options.reps(), Double::sum);
                    }
                }
                redisCommands.add((double) commands / ok);
                redisCpu.add((redisCpuAfter - redisCpuBefore) / ok);
            }
            Map<String, Object> level = new LinkedHashMap<>();
            level.put("errors_by_status", errors);
            if (!errors.isEmpty()) {
                // A rate counts answers only: say what the other requests got (a full Redis answers 503).
                System.out.println("  math JSON via " + target + ", " + clients + " clients: NOT ANSWERED " + errors
                        + " (status: count)");
            }
            if (!rates.isEmpty()) {
                Summary rate = Summary.of("req/s", rates);
                if (clients == levels.getLast()) {
                    topRates.put(target, rate);
                }
                add("throughput", "math JSON via " + target + ", " + clients + " clients", rate);
                add("throughput", "  p50 latency", Summary.of("ms", p50s));
                level.put("rate", rate.json());
                level.put("latency_p50", Summary.of("ms", p50s).json());
                level.put("latency_p99", Summary.of("ms", p99s).json());
                Map<String, Object> cpu = new LinkedHashMap<>();
                cpuPerRequest.forEach((name, values) ->
                        cpu.put(name, Summary.of("ms CPU/request", values).json()));
                level.put("cpu_per_request", cpu);
                level.put(
                        "redis_commands_per_request",
                        Summary.of("commands", redisCommands).json());
                level.put("redis_cpu_per_request", Summary.of("ms", redisCpu).json());
                Map<String, Double> mix = new LinkedHashMap<>();
                commandMix.entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .forEach(e -> mix.put(e.getKey(), Summary.round(e.getValue())));
                level.put("redis_commands_by_name_per_request", mix);
                if (clients == levels.getLast()) {
                    List<Double> all = cpuPerRequest.getOrDefault("all processes", List.of());
                    if (!all.isEmpty()) {
                        add(
                                "cpu",
                                "CPU per math request, all processes (" + target + ", " + clients + " clients)",
                                Summary.of("ms", all));
                    }
                    add(
                            "cpu",
                            "Redis commands per math request (" + target + ")",
                            Summary.of("commands", redisCommands));
                    add("cpu", "Redis CPU per math request (" + target + ")", Summary.of("ms", redisCpu));
                }
            }
            result.put(Integer.toString(clients), level);
        }
        return result;
    }

    /** Completed requests' latencies (ms), wall seconds, and refusals by status. */
    record LoopResult(List<Double> latencies, double seconds, Map<String, Long> errors) {}

    /**
     * Load at this concurrency in windows of 2 s until the CPU per request of all the target's
     * processes settles (two windows in a row within 10 %), at most 60 s; the seconds it took. A JVM
     * compiles its hot code for tens of thousands of requests after it starts (JIT threads were half
     * an ingress's CPU in the first 10,000 requests), so a short warm-up charges compilation to
     * whichever path is measured first; a server's cost is its steady state.
     */
    /** The shortest warm-up before a path is measured (not with --quick). */
    private static final Duration MIN_WARM_UP = Duration.ofSeconds(20);

    private double warmUp(String base, String key, int clients, List<Procs.Proc> procs) {
        if (options.quick()) {
            closedLoop(base, key, clients, Duration.ofMillis(500));
            return 0.5;
        }
        return untilSettled("CPU per request", () -> {
            Map<String, Double> before = Procs.cpuMillis(procs);
            LoopResult loop = closedLoop(base, key, clients, Duration.ofSeconds(2));
            Map<String, Double> after = Procs.cpuMillis(procs);
            double cpu = 0;
            for (Map.Entry<String, Double> entry : after.entrySet()) {
                cpu += entry.getValue() - before.getOrDefault(entry.getKey(), 0.0);
            }
            return cpu / Math.max(1, loop.latencies().size());
        });
    }

    /**
     * Runs {@code window} (2 s of load; its CPU milliseconds per unit of work) for at least {@link
     * #MIN_WARM_UP} and until two windows in a row are within 10 % of each other, at most 60 s;
     * prints and returns the seconds it took. The minimum: four cold JVMs compiling at once once
     * cost a steady 18 ms per request for two windows, "settled", and the path measured next paid
     * for their compilation (2.9 ms per request against 1.2 ms on the path measured after it).
     */
    private static double untilSettled(String what, DoubleSupplier window) {
        long start = System.nanoTime();
        double previous = Double.NaN;
        while (System.nanoTime() - start < Duration.ofSeconds(60).toNanos()) {
            double cost = window.getAsDouble();
            boolean settled =
                    Math.abs(cost - previous) <= 0.1 * previous && System.nanoTime() - start >= MIN_WARM_UP.toNanos();
            previous = cost;
            if (settled) {
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "  warmed up for %.0f s (%s settled at %.2f ms)%n", seconds, what, previous);
        return seconds;
    }

    private static final AtomicLong QUERY_NUMBER = new AtomicLong();

    /** {@code clients} callers each sending math JSON queries back to back for {@code duration}. */
    private static LoopResult closedLoop(String base, String key, int clients, Duration duration) {
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        Map<String, Long> errors = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        long n = QUERY_NUMBER.incrementAndGet();
                        String body = "{\"query\":\"What is " + n + " + 2?\",\"agent_type\":\"math\"}";
                        long sent = System.nanoTime();
                        Http.Reply reply = Http.send(Http.jsonQuery(base, key, body));
                        if (reply.status() == 200 && reply.body().contains("Result")) {
                            latencies.add((System.nanoTime() - sent) / 1e6);
                        } else {
                            errors.merge(reply.status() + (reply.status() == 200 ? " (no result)" : ""), 1L, Long::sum);
                            if (reply.status() == 0 || reply.status() >= 500) {
                                pause(10);
                            }
                        }
                    }
                });
            }
        }
        return new LoopResult(List.copyOf(latencies), (System.nanoTime() - start) / 1e9, new TreeMap<>(errors));
    }

    // ---------------------------------------------------------------------------------------------
    // relay

    private Map<String, Object> relay() {
        int tokens = options.pick(200, 20);
        int clients = options.pick(500, 5);
        llm.use("0ms", "0ms", tokens);
        String expected = expectedText(tokens);
        List<Double> rates = new ArrayList<>();
        List<Double> direct = new ArrayList<>();
        List<Double> workerCpu = new ArrayList<>();
        Map<String, Long> violations = new TreeMap<>();
        for (int rep = 0; rep < options.reps(); rep++) {
            double cpuBefore = workerCpuMillis();
            long start = System.nanoTime();
            List<Http.StreamResult> streams = concurrently(
                    clients, i -> Http.stream(Http.streamQuery(stack.url(), stack.key(), GENERAL), () -> false));
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuMillis = workerCpuMillis() - cpuBefore;
            long delivered = 0;
            for (Http.StreamResult stream : streams) {
                String problem = relayProblem(stream, expected);
                if (problem.isEmpty()) {
                    delivered += tokens;
                } else {
                    violations.merge(problem, 1L, Long::sum);
                }
            }
            rates.add(delivered / seconds);
            if (delivered > 0) {
                workerCpu.add(cpuMillis * 1e3 / delivered);
            }
            long directStart = System.nanoTime();
            List<Http.StreamResult> sims = concurrently(clients, i -> Http.stream(directLlm(), () -> false));
            double directSeconds = (System.nanoTime() - directStart) / 1e9;
            long chunks = sims.stream()
                    .mapToLong(s -> s.events().stream()
                            .filter(e -> e.data().contains("\"content\":\""))
                            .count())
                    .sum();
            direct.add(chunks / directSeconds);
        }
        Summary rate = Summary.of("tokens/s", rates);
        Summary sim = Summary.of("tokens/s", direct);
        Summary publish = Double.isNaN(publishRate) ? null : Summary.of("ops/s", List.of(publishRate));
        add("relay", "tokens/s to " + clients + " SSE clients (verified)", rate, "redis-benchmark PUBLISH", publish);
        add("relay", "simulator streamed directly to " + clients + " clients", sim);
        Summary cpuPerToken = Summary.of("us", workerCpu);
        add("relay", "worker CPU per relayed token (all workers)", cpuPerToken);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("simulator", llm.profile());
        result.put("clients", clients);
        result.put("tokens_per_stream", tokens);
        result.put("rate", rate.json());
        result.put("simulator_direct", sim.json());
        result.put("worker_cpu_per_token", cpuPerToken.json());
        result.put("violations", violations);
        if (publish != null) {
            result.put("ratio_to_publish", Summary.round(rate.median() / publishRate));
        }
        return result;
    }

    /** "" when the stream is right: 200, one terminal {@code done}, ids increasing, the exact text. */
    private static String relayProblem(Http.StreamResult stream, String expected) {
        if (stream.status() != 200) {
            return "status " + stream.status();
        }
        Http.Event terminal = stream.terminal();
        if (stream.terminals() != 1 || terminal == null || !terminal.type().equals("done")) {
            return "terminal " + (terminal == null ? "none" : terminal.type() + " " + terminal.data());
        }
        if (!stream.idsIncrease()) {
            return "ids reordered or duplicated";
        }
        String text = stream.text();
        return text.equals(expected)
                ? ""
                : "text differs (" + text.length() + " chars, expected " + expected.length() + ")";
    }

    /** The simulator's answer of n tokens: "sim0 sim1 ... sim{n-1} ". */
    static String expectedText(int tokens) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            text.append("sim").append(i).append(' ');
        }
        return text.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // streams held

    private Map<String, Object> streams() throws IOException {
        llm.use("1800s", "20ms", 40);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("simulator", llm.profile());
        Duration hold = options.pick(Duration.ofSeconds(5), Duration.ofSeconds(1));
        for (int n : options.pick(List.of(1000, 5000, 10000), List.of(10, 20))) {
            List<Double> held = new ArrayList<>();
            List<Double> heapPerStream = new ArrayList<>();
            List<Double> nginxPerStream = new ArrayList<>();
            List<Double> admitted = new ArrayList<>();
            long fiveHundreds = 0;
            Map<String, Long> statuses = new TreeMap<>();
            for (int rep = 0; rep < options.reps(); rep++) {
                if (rep > 0 && held.getLast() < 0.9 * n) {
                    break; // this level already overwhelms the stack: no more repetitions of it
                }
                HeldRun run = holdStreams(n, hold);
                held.add((double) run.held());
                admitted.add(run.opensPerSecond());
                if (run.heapDeltaKib() >= 0 && run.held() > 0) {
                    heapPerStream.add(run.heapDeltaKib() / run.held());
                }
                if (run.nginxDeltaKib() >= 0 && run.held() > 0) {
                    nginxPerStream.add(run.nginxDeltaKib() / run.held());
                }
                run.statuses().forEach((status, count) -> statuses.merge(status, count, Long::sum));
                fiveHundreds += run.statuses().entrySet().stream()
                        .filter(e -> e.getKey().startsWith("5"))
                        .mapToLong(Map.Entry::getValue)
                        .sum();
            }
            Map<String, Object> level = new LinkedHashMap<>();
            add("streams", n + " streams opened: held", Summary.of("streams", held));
            level.put("held", Summary.of("streams", held).json());
            level.put("opened_per_second", Summary.of("streams/s", admitted).json());
            add("streams", "  admitted per second (burst of " + n + ")", Summary.of("streams/s", admitted));
            if (!heapPerStream.isEmpty()) {
                add("streams", "  live heap per stream, ingress", Summary.of("KiB", heapPerStream));
                level.put(
                        "ingress_live_heap_per_stream",
                        Summary.of("KiB", heapPerStream).json());
            }
            if (!nginxPerStream.isEmpty()) {
                level.put(
                        "nginx_rss_per_stream",
                        Summary.of("KiB", nginxPerStream).json());
            }
            level.put("responses_5xx", fiveHundreds);
            level.put("statuses", statuses);
            add("streams", "  5xx responses", Summary.of("responses", List.of((double) fiveHundreds)));
            result.put(Integer.toString(n), level);
            if (Summary.of("streams", held).median() < 0.9 * n) {
                result.put("stopped", "at " + n + " streams fewer than 90% were held: larger levels not tried");
                break;
            }
        }
        return result;
    }

    record HeldRun(
            long held, double opensPerSecond, double heapDeltaKib, double nginxDeltaKib, Map<String, Long> statuses) {}

    /**
     * Opens {@code n} SSE streams through Nginx at once (resumes of a few long-running requests,
     * so no worker slot is needed per stream), holds them, measures, then closes them all.
     */
    private HeldRun holdStreams(int n, Duration hold) throws IOException {
        List<String> anchors = new ArrayList<>();
        List<InputStream> anchorBodies = new ArrayList<>();
        int anchorCount = Math.max(1, Math.min(4, stack.workerSlots()));
        for (int i = 0; i < anchorCount; i++) {
            try {
                HttpResponse<InputStream> response = Http.CLIENT.send(
                        Http.request(stack.url() + "/api/v1/query", stack.key())
                                .header("Content-Type", "application/json")
                                .header("Accept", "text/event-stream")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"query\":\"hold\",\"agent_type\":\"general\",\"timeout_ms\":1800000}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                anchorBodies.add(response.body());
                response.headers().firstValue("X-Request-Id").ifPresent(anchors::add);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        if (anchors.isEmpty()) {
            throw new IOException("no request to attach streams to (no X-Request-Id)");
        }
        List<Procs.Proc> ingresses = stack.ofRole("ingress");
        double heapBefore = liveHeap(ingresses);
        double nginxBefore = nginxRss();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch answered = new CountDownLatch(n);
        Map<String, Long> statuses = new ConcurrentHashMap<>();
        AtomicLong open = new AtomicLong();
        AtomicLong lastOpenNanos = new AtomicLong();
        ConcurrentLinkedQueue<InputStream> bodies = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < n; i++) {
            String anchor = anchors.get(i % anchors.size());
            pool.submit(() -> holdOne(anchor, stop, answered, statuses, open, lastOpenNanos, bodies));
        }
        try {
            answered.await(options.pick(120L, 30L), TimeUnit.SECONDS);
            Thread.sleep(hold.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long held = open.get();
        double opensPerSecond = lastOpenNanos.get() > start
                ? statuses.getOrDefault("200", 0L) / ((lastOpenNanos.get() - start) / 1e9)
                : 0;
        double heapAfter = liveHeap(ingresses);
        double nginxAfter = nginxRss();
        stop.set(true);
        for (InputStream body : bodies) {
            closeQuietly(body);
        }
        pool.shutdownNow();
        for (String anchor : anchors) {
            Http.send(Http.request(stack.url() + "/api/v1/queries/" + anchor, stack.key())
                    .DELETE()
                    .build());
        }
        anchorBodies.forEach(Bench::closeQuietly);
        pause(options.pick(3000, 500)); // let the ingresses release the streams before the next level
        return new HeldRun(
                held,
                opensPerSecond,
                heapBefore < 0 || heapAfter < 0 ? -1 : heapAfter - heapBefore,
                nginxBefore < 0 ? -1 : nginxAfter - nginxBefore,
                new TreeMap<>(statuses));
    }

    private void holdOne(
            String anchor,
            AtomicBoolean stop,
            CountDownLatch answered,
            Map<String, Long> statuses,
            AtomicLong open,
            AtomicLong lastOpenNanos,
            ConcurrentLinkedQueue<InputStream> bodies) {
        boolean counted = false;
        try {
            HttpResponse<InputStream> response = Http.CLIENT.send(
                    Http.request(stack.url() + "/api/v1/queries/" + anchor + "/events", stack.key())
                            .header("Accept", "text/event-stream")
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            statuses.merge(Integer.toString(response.statusCode()), 1L, Long::sum);
            InputStream body = response.body();
            bodies.add(body);
            if (response.statusCode() != 200) {
                answered.countDown();
                counted = true;
                body.readAllBytes();
                return;
            }
            if (body.read() >= 0) { // the first byte of the replay: the stream is open end to end
                open.incrementAndGet();
                lastOpenNanos.accumulateAndGet(System.nanoTime(), Math::max);
                answered.countDown();
                counted = true;
                byte[] buffer = new byte[1024];
                while (!stop.get() && body.read(buffer) >= 0) {
                    // keep reading heartbeats until the bench closes it
                }
                if (!stop.get()) {
                    open.decrementAndGet(); // ended before the bench let go
                }
            }
        } catch (IOException e) {
            if (!stop.get()) {
                statuses.merge("failed: " + e.getClass().getSimpleName(), 1L, Long::sum);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!counted) {
                answered.countDown();
            }
        }
    }

    private static double liveHeap(List<Procs.Proc> ingresses) {
        double sum = 0;
        for (Procs.Proc ingress : ingresses) {
            try {
                sum += Procs.liveHeapKib(ingress.pid());
            } catch (IllegalStateException e) {
                System.err.println("bench: no live heap of " + ingress.name() + ": " + e.getMessage());
                return -1;
            }
        }
        return sum;
    }

    private double nginxRss() {
        List<Procs.Proc> nginx = stack.ofRole("nginx");
        return nginx.isEmpty() ? -1 : Procs.rssKib(nginx.getFirst().pid());
    }

    // ---------------------------------------------------------------------------------------------
    // worker scaling

    private Map<String, Object> scaling() {
        llm.use("50ms", "5ms", SCALING_TOKENS);
        int slots = stack.workerSlots();
        int workers = stack.ofRole("worker").size();
        // a fixed LLM capacity per worker (4 streams, the default slots), so the ceiling grows with the workers
        int clients = options.quick() ? Math.min(2, slots) : Math.min(slots, 4 * Math.max(1, workers));
        Duration duration = options.pick(Duration.ofSeconds(10), Duration.ofSeconds(1));
        List<Double> ratios = new ArrayList<>();
        List<Double> system = new ArrayList<>();
        List<Double> direct = new ArrayList<>();
        List<Double> workerCpu = new ArrayList<>();
        double warmUpSeconds = warmUpStreams(clients);
        for (int rep = 0; rep < options.reps(); rep++) {
            double cpuBefore = workerCpuMillis();
            long start = System.nanoTime();
            double sys = streamLoop(clients, duration, () -> Http.streamQuery(stack.url(), stack.key(), GENERAL));
            double cpuMillis = workerCpuMillis() - cpuBefore;
            double relayed = sys * ((System.nanoTime() - start) / 1e9) * SCALING_TOKENS;
            if (relayed > 0) {
                workerCpu.add(cpuMillis * 1e3 / relayed);
            }
            double sim = streamLoop(clients, duration, this::directLlm);
            system.add(sys);
            direct.add(sim);
            ratios.add(sys / sim);
        }
        add(
                "scaling",
                workers + " worker(s), " + clients + " streams: fraction of the simulator's ceiling",
                Summary.of("x", ratios),
                "simulator direct, same concurrency",
                Summary.of("req/s", direct));
        Summary cpuPerToken = Summary.of("us", workerCpu);
        add("scaling", "  worker CPU per relayed token (all workers)", cpuPerToken);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("simulator", llm.profile());
        result.put("workers", workers);
        result.put("worker_slots", slots);
        result.put("clients", clients);
        result.put("warm_up_seconds", warmUpSeconds);
        result.put("system_rate", Summary.of("req/s", system).json());
        result.put("simulator_direct_rate", Summary.of("req/s", direct).json());
        result.put("fraction_of_ceiling", Summary.of("x", ratios).json());
        result.put("worker_cpu_per_token", cpuPerToken.json());
        result.put(
                "note",
                "1, 2 and 4 workers: restart the stack with bin/agentic up --workers N and run --only=scaling each time");
        return result;
    }

    // ---------------------------------------------------------------------------------------------
    // against the original design

    private Map<String, Object> original() {
        llm.use(OriginalDesign.TTFT, OriginalDesign.INTER_TOKEN, OriginalDesign.TOKENS);
        int slots = stack.workerSlots();
        Duration window = options.pick(Duration.ofSeconds(20), Duration.ofSeconds(9));
        Summary guide = Summary.of(
                "req/s",
                List.of(
                        OriginalDesign.GUIDE_REQUESTS_PER_MINUTE_LOW / 60,
                        OriginalDesign.GUIDE_REQUESTS_PER_MINUTE_HIGH / 60));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("simulator", llm.profile());
        result.put("answer_seconds", OriginalDesign.ANSWER_SECONDS);
        result.put("window_seconds", window.toMillis() / 1000.0);
        result.put(
                "original_guide",
                Map.of(
                        "concurrent_requests",
                        OriginalDesign.GUIDE_CONCURRENT,
                        "requests_per_minute",
                        List.of(
                                OriginalDesign.GUIDE_REQUESTS_PER_MINUTE_LOW,
                                OriginalDesign.GUIDE_REQUESTS_PER_MINUTE_HIGH)));
        for (int clients : options.pick(List.of(OriginalDesign.GUIDE_CONCURRENT, 100, 500, 1000), List.of(2))) {
            if (clients > slots) {
                result.put(
                        Integer.toString(clients), Map.of("skipped", "more clients than worker slots (" + slots + ")"));
                continue;
            }
            List<Double> rates = new ArrayList<>();
            List<Double> p50 = new ArrayList<>();
            List<Double> p95 = new ArrayList<>();
            long failed = 0;
            for (int rep = 0; rep < options.reps(); rep++) {
                OriginalDesign.Level level =
                        OriginalDesign.run(clients, window, () -> Http.streamQuery(stack.url(), stack.key(), GENERAL));
                failed += level.failed();
                if (Double.isNaN(level.p50Seconds())) {
                    continue;
                }
                rates.add(level.answersPerSecond());
                p50.add(level.p50Seconds());
                p95.add(level.p95Seconds());
            }
            Map<String, Object> level = new LinkedHashMap<>();
            level.put("failed", failed);
            if (!rates.isEmpty()) {
                add(
                        "original",
                        "5 s answers at " + clients + " concurrent streams: answers/s (p95 s)",
                        Summary.of("req/s", rates),
                        "original guide: " + OriginalDesign.GUIDE_CONCURRENT + " concurrent, 60-120 req/min",
                        guide);
                add("original", "5 s answers at " + clients + " concurrent streams: p95 latency", Summary.of("s", p95));
                level.put("answers_per_second", Summary.of("req/s", rates).json());
                level.put(
                        "answers_per_minute",
                        Summary.of("req/min", rates.stream().map(r -> r * 60).toList())
                                .json());
                level.put("latency_p50", Summary.of("s", p50).json());
                level.put("latency_p95", Summary.of("s", p95).json());
            }
            result.put(Integer.toString(clients), level);
        }
        return result;
    }

    /**
     * Streams at this concurrency in windows of 2 s until the workers' CPU per stream settles (two
     * windows in a row within 10 %), at most 60 s; the seconds it took. As {@link #warmUp} for the
     * JSON path: a freshly started worker compiles its hot code first (a cold run at 1 worker cost
     * 1,446 us of worker CPU per token, a warmed one 912 us).
     */
    private double warmUpStreams(int clients) {
        Supplier<HttpRequest> query = () -> Http.streamQuery(stack.url(), stack.key(), GENERAL);
        if (options.quick()) {
            streamLoop(clients, Duration.ofMillis(500), query);
            return 0.5;
        }
        return untilSettled("worker CPU per stream", () -> {
            double cpuBefore = workerCpuMillis();
            long windowStart = System.nanoTime();
            double rate = streamLoop(clients, Duration.ofSeconds(2), query);
            double streams = rate * (System.nanoTime() - windowStart) / 1e9;
            return (workerCpuMillis() - cpuBefore) / Math.max(1, streams);
        });
    }

    /** Tokens of each answer in the scaling scenario. */
    private static final int SCALING_TOKENS = 20;

    /**
     * CPU milliseconds of all the stack's workers so far. Divided by the tokens delivered in between,
     * it is the figure of issue 11's target (50 us of worker CPU per relayed token); it includes the
     * workers' idle polling and their other work, so it is an upper bound.
     */
    private double workerCpuMillis() {
        return Procs.cpuMillis(stack.ofRole("worker")).values().stream()
                .mapToDouble(Double::doubleValue)
                .sum();
    }

    /** Completed streams per second with {@code clients} back-to-back streams read to their end. */
    private static double streamLoop(int clients, Duration duration, Supplier<HttpRequest> request) {
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        Http.StreamResult result = Http.stream(request.get(), () -> false);
                        if (result.status() == 200 && result.failure().isEmpty()) {
                            done.incrementAndGet();
                        } else {
                            pause(10);
                        }
                    }
                });
            }
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    // ---------------------------------------------------------------------------------------------
    // limits, output, helpers

    /** Lifts the tenant limits (still checked, never reached) for the run, or removes the overrides after it. */
    private void liftLimits(boolean lift) {
        String body = lift
                ? "{\"rate_per_second\":1000000,\"burst\":2000000,\"max_streams\":1000000}"
                : "{\"rate_per_second\":null,\"burst\":null,\"max_streams\":null}";
        Http.Reply reply = Http.send(Http.request(stack.url() + "/api/v1/admin/limits", stack.key())
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build());
        if (reply.status() != 200) {
            throw new IllegalStateException("setting the tenant limits: HTTP " + reply.status() + " " + reply.body());
        }
        if (lift) {
            pause(1500); // every ingress applies live limits within agentic.limits.refresh-interval (1 s)
        }
    }

    private void add(String scenario, String measure, Summary value) {
        add(scenario, measure, value, "", null);
    }

    private void add(String scenario, String measure, Summary value, String baselineName, @Nullable Summary baseline) {
        Row row = new Row(scenario, measure, value, baselineName, baseline);
        rows.add(row);
        System.out.println("  " + format(row));
    }

    private static String format(Row row) {
        String line = String.format(
                Locale.ROOT,
                "%-62s %12s %-14s [%s .. %s]",
                row.measure(),
                number(row.value().median()),
                row.value().unit(),
                number(row.value().min()),
                number(row.value().max()));
        Summary baseline = row.baseline();
        if (baseline != null) {
            line += String.format(
                    Locale.ROOT, "   vs %s %s %s", row.baselineName(), number(baseline.median()), baseline.unit());
        }
        return line;
    }

    private static String number(double value) {
        return Math.abs(value) >= 100
                ? String.format(Locale.ROOT, "%,.0f", value)
                : String.format(Locale.ROOT, "%.3f", value);
    }

    private void printTable() {
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "%-12s %-62s %12s %-14s %s%n",
                "scenario",
                "measure",
                "median",
                "unit",
                "[min .. max]   baseline");
        for (Row row : rows) {
            System.out.printf(Locale.ROOT, "%-12s %s%n", row.scenario(), format(row));
        }
    }

    private static Map<String, Object> rowJson(Row row) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("scenario", row.scenario());
        json.put("measure", row.measure().strip());
        json.put("value", row.value().json());
        Summary baseline = row.baseline();
        if (baseline != null) {
            json.put("baseline", row.baselineName());
            json.put("baseline_value", baseline.json());
        }
        return json;
    }

    /** The {@code text} field of a token event's JSON data. */
    static String jsonText(String data) {
        JsonNode node = JSON.readTree(data);
        JsonNode text = node.get("text");
        return text == null ? "" : text.asString();
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            // closing a stream the server may have closed first
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
