package dev.agentic.loadtest.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Replaces the stack's LLM simulator, on its port, by one with the pace and capacity a scenario
 * needs (e.g. no concurrency cap for 1,000 streams, full speed for the relay), and puts the
 * original back at the end: same command line, detached like {@code bin/agentic} starts it, with
 * its pid file and start time rewritten so that {@code bin/agentic down} stops it as usual.
 */
final class SimulatorSwap implements AutoCloseable {
    private final Path runDir;
    private final int port;
    private final @Nullable List<String> original;
    private @Nullable Process current;
    private String profile = "stack's own";

    SimulatorSwap(Path runDir, int port) {
        this.runDir = runDir;
        this.port = port;
        Path pidFile = runDir.resolve("pids/llm.pid");
        List<String> command = null;
        try {
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                if (Procs.alive(pid)) {
                    command = Procs.commandLine(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            command = null;
        }
        this.original = command;
    }

    boolean possible() {
        return original != null;
    }

    String profile() {
        return profile;
    }

    /** Pid of the simulator now serving the port, or -1 when unknown. */
    long pid() {
        Process process = current;
        if (process != null) {
            return process.pid();
        }
        return stackPid();
    }

    private long stackPid() {
        try {
            return Long.parseLong(
                    Files.readString(runDir.resolve("pids/llm.pid")).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Serves the port with a simulator of this pace: e.g. ("200ms", "20ms", 40). No concurrency cap. */
    void use(String ttft, String interToken, int tokens) {
        List<String> base = original;
        if (base == null) {
            return; // not our stack's layout: scenarios run against whatever simulator is there
        }
        String wanted = "ttft=" + ttft + " inter-token=" + interToken + " tokens=" + tokens;
        if (wanted.equals(profile)) {
            return;
        }
        stopCurrent();
        List<String> command = new ArrayList<>();
        for (String arg : base) {
            if (!isPaceOption(arg)) {
                command.add(arg);
            }
        }
        command.addAll(List.of(
                "--ttft=" + ttft, "--inter-token=" + interToken, "--tokens=" + tokens, "--max-concurrency=1000000"));
        try {
            Path log = runDir.resolve("logs/llm-bench.log");
            current = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the bench's simulator: " + e.getMessage(), e);
        }
        awaitHealthy();
        profile = wanted;
    }

    private static boolean isPaceOption(String arg) {
        return arg.startsWith("--ttft=")
                || arg.startsWith("--inter-token=")
                || arg.startsWith("--tokens=")
                || arg.startsWith("--max-concurrency=");
    }

    private void stopCurrent() {
        Process process = current;
        if (process != null) {
            process.destroy();
            waitGone(process.pid());
            current = null;
            return;
        }
        long pid = stackPid();
        if (pid > 0 && Procs.alive(pid)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            waitGone(pid);
        }
    }

    private static void waitGone(long pid) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (Procs.alive(pid) && System.nanoTime() < deadline) {
            sleep(50);
        }
        if (Procs.alive(pid)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        while (Procs.alive(pid)) {
            sleep(50);
        }
    }

    private void awaitHealthy() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2))
                .build();
        while (System.nanoTime() < deadline) {
            if (Http.send(health).status() == 200) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("the simulator on port " + port + " did not become healthy");
    }

    /** Puts the stack's own simulator back (when it was swapped). */
    @Override
    public void close() {
        List<String> base = original;
        if (base == null || current == null) {
            return;
        }
        stopCurrent();
        List<String> command = new ArrayList<>();
        command.add("setsid");
        command.addAll(base);
        try {
            Path log = runDir.resolve("logs/llm.log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            Files.writeString(runDir.resolve("pids/llm.pid"), process.pid() + "\n");
            Files.writeString(runDir.resolve("pids/llm.start"), Procs.startTime(process.pid()) + "\n");
            awaitHealthy();
            profile = "stack's own";
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart the stack's simulator: " + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
