package dev.agentic.loadtest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The running stack as {@code bin/agentic up} leaves it in its run directory: {@code services}
 * (one line per process: role, name, port), {@code pids/<name>.pid} and {@code admin-key}.
 */
record StackInfo(
        Path runDir,
        String url,
        List<String> ingressUrls,
        int redisPort,
        int llmPort,
        String key,
        List<Procs.Proc> procs) {
    /** {@code agentic.worker.concurrency}'s default (WorkerProperties). */
    static final int DEFAULT_WORKER_SLOTS = 256;

    static StackInfo read(Path runDir, String url, int redisPort, int llmPort, String key) throws IOException {
        List<String> ingresses = new ArrayList<>();
        List<Procs.Proc> procs = new ArrayList<>();
        Path services = runDir.resolve("services");
        if (Files.exists(services)) {
            for (String line : Files.readAllLines(services)) {
                String[] fields = line.strip().split("\\s+");
                if (fields.length < 3) {
                    continue;
                }
                if (fields[0].equals("ingress")) {
                    ingresses.add("http://127.0.0.1:" + fields[2]);
                }
                Path pidFile = runDir.resolve("pids/" + fields[1] + ".pid");
                if (Files.exists(pidFile)) {
                    procs.add(new Procs.Proc(
                            fields[1],
                            fields[0],
                            Long.parseLong(Files.readString(pidFile).strip())));
                }
            }
        }
        String apiKey = key;
        Path keyFile = runDir.resolve("admin-key");
        if (apiKey.isEmpty() && Files.isReadable(keyFile)) {
            apiKey = Files.readString(keyFile).strip();
        }
        if (apiKey.isEmpty()) {
            throw new IllegalArgumentException(
                    "no API key: set AGENTIC_API_KEY, --key=..., or run against a run dir with admin-key");
        }
        return new StackInfo(runDir, url, List.copyOf(ingresses), redisPort, llmPort, apiKey, List.copyOf(procs));
    }

    /** The stack's processes, re-reading the simulator's pid (the bench may have swapped it). */
    List<Procs.Proc> processes(SimulatorSwap llm) {
        List<Procs.Proc> current = new ArrayList<>();
        for (Procs.Proc proc : procs) {
            current.add(proc.role().equals("llm") ? new Procs.Proc(proc.name(), proc.role(), llm.pid()) : proc);
        }
        return current;
    }

    List<Procs.Proc> ofRole(String role) {
        return procs.stream().filter(p -> p.role().equals(role)).toList();
    }

    /**
     * Jobs the workers run at once, as each one's environment sets it (AGENTIC_WORKER_CONCURRENCY),
     * else the worker's default {@code agentic.worker.concurrency} of 256.
     */
    int workerSlots() {
        int slots = 0;
        for (Procs.Proc worker : ofRole("worker")) {
            String value = Procs.environment(worker.pid(), "AGENTIC_WORKER_CONCURRENCY");
            slots += value.isEmpty() ? DEFAULT_WORKER_SLOTS : Integer.parseInt(value.strip());
        }
        return slots;
    }
}
