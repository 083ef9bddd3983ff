package dev.agentic.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.Binaries;
import dev.agentic.testsupport.FreePorts;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark harness keeps working: a stack started the way users start it ({@code bin/agentic
 * up}, own run dir and free ports, {@code AGENTIC_NO_BUILD=1}), then the runner as CI runs it ({@code
 * bin/agentic bench --quick}), which must finish and write its
 * JSON with every scenario measured (none failed), the BullMQ peer included, the relayed text
 * verified. Figures are not asserted: they depend on the machine.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class BenchQuickIT {
    private static final List<String> SCENARIOS =
            List.of("calibration", "hop", "throughput", "relay", "scaling", "original", "streams");

    @TempDir
    Path temp;

    @Test
    void quickBenchRunsEveryScenarioAgainstARealStackAndWritesItsJson() throws Exception {
        Binaries.require("redis-server", "redis-server");
        Binaries.require("redis-benchmark", "redis-tools");
        Binaries.require("nginx", "nginx-light");
        Binaries.require("curl", "curl");
        Binaries.require("node", "nodejs");
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path runDir = temp.resolve("run");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AGENTIC_RUN_DIR", runDir.toString());
        env.put("AGENTIC_NO_BUILD", "1");
        env.put("AGENTIC_HEALTH_TIMEOUT", "150");
        choosePorts(env);
        try {
            int up = run(agentic(env, "up"), temp.resolve("up.out"), Duration.ofMinutes(4));
            assertThat(up)
                    .as("bin/agentic up: %s", read(temp.resolve("up.out")))
                    .isZero();

            Path json = temp.resolve("results.json");
            int bench = run(runner(env, json), temp.resolve("bench.out"), Duration.ofMinutes(6));

            String output = read(temp.resolve("bench.out"));
            assertThat(bench).as("the bench runner:\n%s", output).isZero();
            assertThat(json).as(output).exists();
            JsonNode results = JsonMapper.builder().build().readTree(json.toFile());
            JsonNode scenarios = results.get("scenarios");
            for (String scenario : SCENARIOS) {
                assertThat(scenarios.has(scenario))
                        .as("scenario %s in %s", scenario, json)
                        .isTrue();
                assertThat(scenarios.get(scenario).has("error"))
                        .as("scenario %s failed: %s\n%s", scenario, scenarios.get(scenario), output)
                        .isFalse();
            }
            assertThat(scenarios.at("/throughput/bullmq/1/rate/median").asDouble())
                    .as("the BullMQ peer was measured: %s", scenarios.get("throughput"))
                    .isPositive();
            assertThat(scenarios.at("/throughput/nginx/1/rate/median").asDouble())
                    .isPositive();
            assertThat(scenarios.at("/relay/violations").size())
                    .as("relayed streams all complete, in order, exact text: %s", scenarios.get("relay"))
                    .isZero();
            assertThat(scenarios.at("/relay/rate/median").asDouble()).isPositive();
            assertThat(scenarios.at("/calibration/publish/median").asDouble()).isPositive();
            assertThat(scenarios.at("/original/2/answers_per_second/median").asDouble())
                    .as("5 s answers completed against the original design: %s", scenarios.get("original"))
                    .isPositive();
            assertThat(results.get("table").size()).isGreaterThan(10);
            assertThat(output).contains("results: " + json);
        } finally {
            run(agentic(env, "down"), temp.resolve("down.out"), Duration.ofMinutes(2));
        }
    }

    private ProcessBuilder agentic(Map<String, String> env, String command) {
        ProcessBuilder builder = new ProcessBuilder(
                        Stack.root().resolve("bin/agentic").toString(), command)
                .directory(Stack.root().toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("AGENTIC_"));
        builder.environment().putAll(env);
        return builder;
    }

    /** {@code bin/agentic bench --quick}, as CI runs it, writing its JSON to {@code json}. */
    private ProcessBuilder runner(Map<String, String> env, Path json) {
        ProcessBuilder builder = agentic(env, "bench");
        builder.command().addAll(List.of("--quick", "--out=" + json));
        return builder;
    }

    private static int run(ProcessBuilder builder, Path output, Duration timeout)
            throws InterruptedException, IOException {
        Process process = builder.redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        return -1;
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, UTF_8) : "";
    }

    private static void choosePorts(Map<String, String> env) {
        Set<Integer> taken = new HashSet<>();
        env.put("AGENTIC_PORT", Integer.toString(freeBase(1, taken)));
        env.put("AGENTIC_REDIS_PORT", Integer.toString(freeBase(1, taken)));
        env.put("AGENTIC_LLM_PORT", Integer.toString(freeBase(1, taken)));
        env.put("AGENTIC_INGRESS_BASE_PORT", Integer.toString(freeBase(2, taken)));
        env.put("AGENTIC_WORKER_BASE_PORT", Integer.toString(freeBase(2, taken)));
    }

    private static int freeBase(int count, Set<Integer> taken) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = FreePorts.next();
            if (base + count - 1 <= 65535
                    && IntStream.range(0, count).allMatch(i -> !taken.contains(base + i) && isFree(base + i))) {
                IntStream.range(0, count).forEach(i -> taken.add(base + i));
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }
}
