package dev.agentic.loadtest.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What /proc and jcmd tell about the stack's processes: CPU time of a process and its children, live heap. */
final class Procs {
    /** Linux's USER_HZ: /proc reports CPU times in these ticks (100 on every common kernel). */
    static final double TICK_MS = 10.0;

    private static final Pattern HEAP_USED =
            Pattern.compile("(?m)^\\s*garbage-first heap\\s+total\\b.*?\\bused\\s+(\\d+)K");

    private Procs() {}

    /** A process of the stack as its run directory names it ({@code pids/<name>.pid}). */
    record Proc(String name, String role, long pid) {}

    /** CPU milliseconds (user + system) of each process, its threads and its live descendants. */
    static Map<String, Double> cpuMillis(List<Proc> procs) {
        Map<Long, Long> parents = new HashMap<>();
        Map<Long, Long> ticks = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long[] stat = stat(Long.parseLong(name));
                if (stat.length == 3) {
                    parents.put(Long.parseLong(name), stat[0]);
                    ticks.put(Long.parseLong(name), stat[1] + stat[2]);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc", e);
        }
        Map<String, Double> cpu = new LinkedHashMap<>();
        for (Proc proc : procs) {
            long sum = 0;
            for (Map.Entry<Long, Long> entry : ticks.entrySet()) {
                if (isSelfOrDescendant(entry.getKey(), proc.pid(), parents)) {
                    sum += entry.getValue();
                }
            }
            cpu.put(proc.name(), sum * TICK_MS);
        }
        return cpu;
    }

    private static boolean isSelfOrDescendant(long pid, long ancestor, Map<Long, Long> parents) {
        long current = pid;
        for (int depth = 0; depth < 16 && current > 1; depth++) {
            if (current == ancestor) {
                return true;
            }
            Long parent = parents.get(current);
            if (parent == null) {
                return false;
            }
            current = parent;
        }
        return false;
    }

    /** {ppid, utime, stime} from /proc/PID/stat, or an empty array when the process is gone. */
    private static long[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
            return new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[11]), Long.parseLong(fields[12])};
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }

    static boolean alive(long pid) {
        return stat(pid).length == 3;
    }

    /** Resident memory (KiB) of a process and its live descendants, from /proc/PID/status VmRSS. */
    static long rssKib(long pid) {
        long sum = 0;
        Map<Long, Long> parents = new HashMap<>();
        List<Long> all = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    long[] stat = stat(Long.parseLong(name));
                    if (stat.length == 3) {
                        parents.put(Long.parseLong(name), stat[0]);
                        all.add(Long.parseLong(name));
                    }
                }
            }
        } catch (IOException e) {
            return -1;
        }
        for (long candidate : all) {
            if (isSelfOrDescendant(candidate, pid, parents)) {
                sum += vmRss(candidate);
            }
        }
        return sum;
    }

    private static long vmRss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /** Live heap in KiB after a full collection ({@code jcmd PID GC.run}, then {@code GC.heap_info}). */
    static long liveHeapKib(long pid) {
        run(List.of("jcmd", Long.toString(pid), "GC.run"), 60);
        String info = run(List.of("jcmd", Long.toString(pid), "GC.heap_info"), 30);
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no G1 heap figure in jcmd GC.heap_info of " + pid + ": " + info);
        }
        return Long.parseLong(m.group(1));
    }

    /** Value of an environment variable of a running process (from /proc/PID/environ), or "". */
    static String environment(long pid, String name) {
        try {
            byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
                if (entry.startsWith(name + "=")) {
                    return entry.substring(name.length() + 1);
                }
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }

    /** The command line of a running process, from /proc/PID/cmdline. */
    static List<String> commandLine(long pid) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return List.of(new String(cmdline, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the command line of " + pid, e);
        }
    }

    /** Start time in clock ticks since boot (field 22 of /proc/PID/stat), as bin/agentic records it. */
    static String startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
        }
    }

    /** Runs a command, returns its output (stdout and stderr); throws when it fails or overruns. */
    static String run(List<String> command, int timeoutSeconds) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " took over " + timeoutSeconds + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", command) + " exited with " + process.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.getFirst(), e);
        }
    }
}
