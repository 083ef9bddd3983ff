package dev.agentic.e2e.chaos;

import dev.agentic.e2e.chaos.FaultInjector.Fault;
import dev.agentic.e2e.chaos.FaultInjector.Kind;
import dev.agentic.e2e.chaos.RequestTrace.Outcome;
import dev.agentic.e2e.chaos.RequestTrace.Seen;
import dev.agentic.model.EventId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The checks of a chaos run and its figures, computed from what the clients saw ({@link
 * RequestTrace}), what the request logs in Redis hold after the run, and the faults injected. Each
 * check is a list of violations, each violation a readable story of one request.
 */
final class ChaosReport {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One entry of a request's event log in Redis, read after the run. */
    record LogEntry(EventId id, String type, String data) {}

    /**
     * A {@code restart} event and what explains it.
     *
     * @param previousWorker the worker of the attempt it ends (null if no {@code start} came before)
     * @param cause the fault that explains it, or null: a live worker's job was taken
     */
    record Reclaim(
            RequestTrace trace,
            LogEntry restart,
            @Nullable String previousWorker,
            @Nullable Fault cause) {}

    final ChaosConfig config;
    final List<RequestTrace> traces;
    final List<Fault> faults;
    final Map<String, List<LogEntry>> logs;
    final String expectedAnswer;

    /** Every check's violations, by check name, in the order the checks are documented. */
    final Map<String, List<String>> violations = new LinkedHashMap<>();

    final List<Reclaim> reclaims = new ArrayList<>();

    /** The longest a crashed worker's job may wait for its restart (from the kill, or Redis's return). */
    final long reclaimBoundMillis;

    ChaosReport(
            ChaosConfig config,
            List<RequestTrace> traces,
            List<Fault> faults,
            Map<String, List<LogEntry>> logs,
            Function<String, List<String>> grepLogs) {
        this.config = config;
        this.traces = traces;
        this.faults = faults;
        this.logs = logs;
        this.reclaimBoundMillis = config.maxReclaim().toMillis();
        this.expectedAnswer = IntStream.range(0, config.tokens())
                .mapToObj(i -> "sim" + i + " ")
                .collect(Collectors.joining());
        checkTerminal(grepLogs);
        checkOneTerminalInLog();
        checkIds();
        checkAnswers();
        checkReclaims();
    }

    static final String TERMINAL = "every accepted request ends in done";
    static final String ONE_TERMINAL = "every request log holds exactly one terminal event, last";
    static final String IDS = "event ids strictly increase across resumes, and the client saw the whole log";
    static final String ANSWERS =
            "every answer, with the part before each restart dropped, is the uninterrupted answer";
    static final String RECLAIMS =
            "no live worker's job is taken: every restart follows a worker kill or a Redis outage";
    static final String PAUSE = "the SIGSTOP'd worker's jobs are not restarted";
    static final String REFUSALS = "refusals before the stream are only 429/502/503/504";
    static final String NEVER_ACCEPTED =
            "no client is refused until the window closes (refusals end when the fault does)";
    static final String RECLAIM_TIME = "a crashed worker's jobs restart within the reclaim bound";

    List<RequestTrace> accepted() {
        return traces.stream().filter(RequestTrace::isAccepted).toList();
    }

    private void add(String check, String violation) {
        violations.computeIfAbsent(check, k -> new ArrayList<>()).add(violation);
    }

    List<String> violations(String check) {
        return violations.getOrDefault(check, List.of());
    }

    private void checkTerminal(Function<String, List<String>> grepLogs) {
        violations.put(TERMINAL, new ArrayList<>());
        violations.put(REFUSALS, new ArrayList<>());
        violations.put(NEVER_ACCEPTED, new ArrayList<>());
        int withLogs = 0;
        for (RequestTrace t : traces) {
            if (!t.isAccepted()) {
                if (t.outcome() == Outcome.BROKEN) {
                    add(REFUSALS, t.story());
                } else if (t.outcome() == Outcome.NOT_ACCEPTED) {
                    add(NEVER_ACCEPTED, t.story());
                }
                continue;
            }
            if (t.outcome() != Outcome.DONE) {
                String evidence = "";
                if (withLogs++ < 5) {
                    List<String> lines = grepLogs.apply(String.valueOf(t.requestId()));
                    evidence = "\n  service logs mentioning it:\n    " + String.join("\n    ", lines)
                            + "\n  its log in Redis: " + describeLog(t.requestId());
                }
                add(TERMINAL, t.story() + evidence);
            }
        }
    }

    private void checkOneTerminalInLog() {
        violations.put(ONE_TERMINAL, new ArrayList<>());
        for (RequestTrace t : accepted()) {
            List<LogEntry> log = logs.get(t.requestId());
            if (log == null || log.isEmpty()) {
                add(ONE_TERMINAL, "no event log in Redis after the run: " + t.story());
                continue;
            }
            long terminals = log.stream().filter(e -> isTerminal(e.type())).count();
            if (terminals != 1 || !isTerminal(log.getLast().type())) {
                add(
                        ONE_TERMINAL,
                        terminals + " terminal events, last is " + log.getLast().type() + ": "
                                + describeLog(t.requestId()) + "\n" + t.story());
            }
        }
    }

    private void checkIds() {
        violations.put(IDS, new ArrayList<>());
        for (RequestTrace t : accepted()) {
            if (!t.violations().isEmpty()) {
                add(IDS, t.story());
                continue;
            }
            List<LogEntry> log = logs.get(t.requestId());
            if (log == null || t.outcome() != Outcome.DONE) {
                continue; // reported by the other checks
            }
            List<String> seen = t.logged().stream().map(Seen::id).toList();
            List<String> stored = log.stream().map(e -> e.id().toString()).toList();
            if (!seen.equals(stored)) {
                int at = 0;
                while (at < Math.min(seen.size(), stored.size()) && seen.get(at).equals(stored.get(at))) {
                    at++;
                }
                add(
                        IDS,
                        "the client's ids differ from the log from position " + at + ": client "
                                + seen.subList(at, Math.min(seen.size(), at + 3)) + " log "
                                + stored.subList(at, Math.min(stored.size(), at + 3)) + " (client " + seen.size()
                                + " events, log " + stored.size() + ")\n" + t.story());
            }
        }
    }

    private void checkAnswers() {
        violations.put(ANSWERS, new ArrayList<>());
        for (RequestTrace t : accepted()) {
            if (t.outcome() != Outcome.DONE) {
                continue;
            }
            StringBuilder answer = new StringBuilder();
            for (Seen f : t.logged()) {
                switch (f.event()) {
                    case "restart" -> answer.setLength(0);
                    case "token" -> answer.append(text(f.data()));
                    default -> {}
                }
            }
            if (!answer.toString().equals(expectedAnswer)) {
                add(ANSWERS, "answer '" + abbreviate(answer.toString()) + "'\n" + t.story());
            }
        }
    }

    /** Explains every restart in every log by a worker kill or a Redis outage. */
    private void checkReclaims() {
        violations.put(RECLAIMS, new ArrayList<>());
        violations.put(PAUSE, new ArrayList<>());
        violations.put(RECLAIM_TIME, new ArrayList<>());
        for (RequestTrace t : accepted()) {
            List<LogEntry> log = logs.getOrDefault(t.requestId(), List.of());
            long acceptedMs = log.isEmpty() ? 0 : log.getFirst().id().millis();
            LogEntry lastStart = null;
            for (LogEntry e : log) {
                if (e.type().equals("start")) {
                    lastStart = e;
                } else if (e.type().equals("restart")) {
                    String worker = lastStart == null ? null : field(lastStart.data(), "worker");
                    Fault cause = explain(worker, lastStart, e, acceptedMs);
                    reclaims.add(new Reclaim(t, e, worker, cause));
                    if (cause != null && latency(cause, e) > reclaimBoundMillis) {
                        add(
                                RECLAIM_TIME,
                                "restart " + latency(cause, e) + "ms after " + describe(cause) + " ended" + " (bound "
                                        + reclaimBoundMillis + "ms; " + e.data() + ")\n" + t.story());
                    }
                    if (cause == null) {
                        Optional<Fault> pause = pauseOf(worker, lastStart, e, acceptedMs);
                        String what = pause.map(p -> worker == null
                                        ? "no attempt had started (no start event) when the job was reclaimed; it was"
                                                + " queued at " + acceptedMs + ", while " + p.target()
                                                + " was SIGSTOP'd (" + p.startMillis() + ".." + p.endMillis()
                                                + ", epoch ms as event ids)"
                                        : "the job of " + worker + ", which was SIGSTOP'd at " + p.startMillis()
                                                + " (epoch ms, as event ids) for "
                                                + (p.endMillis() - p.startMillis()) + "ms, was taken")
                                .orElse(
                                        worker == null
                                                ? "no attempt had started (no start event) and no worker crashed or Redis"
                                                        + " outage happened since it was queued"
                                                : "the job of live worker " + worker + " was taken");
                        String violation = what + " (restart " + e.id() + " " + e.data() + ")\n" + t.story();
                        add(RECLAIMS, violation);
                        pause.ifPresent(p -> add(PAUSE, violation));
                    }
                }
            }
        }
    }

    /** Milliseconds from the end of the fault (the kill; Redis back) to the restart it caused. */
    static long latency(Fault cause, LogEntry restart) {
        return restart.id().millis() - cause.endMillis();
    }

    private @Nullable Fault explain(
            @Nullable String worker, @Nullable LogEntry start, LogEntry restart, long acceptedMs) {
        long restartMs = restart.id().millis();
        for (Fault f : faults) {
            if (f.startMillis() > restartMs) {
                continue;
            }
            boolean crash = f.kind() == Kind.WORKER_KILL
                    && (worker == null
                            ? f.startMillis() >= acceptedMs - 1000
                            : f.target().equals(worker));
            boolean outage = f.kind() == Kind.REDIS_KILL && f.endMillis() >= acceptedMs - 1000;
            if (crash || outage) {
                return f;
            }
        }
        return null;
    }

    /**
     * The pause of {@code worker} that overlapped the attempt that {@code restart} ended; with no
     * attempt started (no worker known), any pause between the request's acceptance and the restart.
     */
    private Optional<Fault> pauseOf(
            @Nullable String worker, @Nullable LogEntry start, LogEntry restart, long acceptedMs) {
        long from = start == null ? acceptedMs : start.id().millis();
        return faults.stream()
                .filter(f -> f.kind() == Kind.WORKER_PAUSE
                        && (worker == null || f.target().equals(worker)))
                .filter(f -> f.startMillis() <= restart.id().millis() && f.endMillis() >= from)
                .findFirst();
    }

    /** Requests whose attempt ran on a paused worker while it was stopped; and how many restarted. */
    record PauseFigure(Fault pause, int running, int restarted) {}

    List<PauseFigure> pauseFigures() {
        List<PauseFigure> figures = new ArrayList<>();
        for (Fault p : faults) {
            if (p.kind() != Kind.WORKER_PAUSE) {
                continue;
            }
            int running = 0;
            int restarted = 0;
            for (RequestTrace t : accepted()) {
                List<LogEntry> log = logs.getOrDefault(t.requestId(), List.of());
                for (int i = 0; i < log.size(); i++) {
                    LogEntry e = log.get(i);
                    if (!e.type().equals("start") || !p.target().equals(field(e.data(), "worker"))) {
                        continue;
                    }
                    if (e.id().millis() > p.startMillis()) {
                        continue;
                    }
                    // The attempt ends at the next restart or terminal.
                    LogEntry end = null;
                    for (int j = i + 1; j < log.size() && end == null; j++) {
                        if (log.get(j).type().equals("restart")
                                || isTerminal(log.get(j).type())) {
                            end = log.get(j);
                        }
                    }
                    if (end == null || end.id().millis() >= p.startMillis()) {
                        running++;
                        if (end != null && end.type().equals("restart")) {
                            restarted++;
                        }
                    }
                }
            }
            figures.add(new PauseFigure(p, running, restarted));
        }
        return figures;
    }

    /**
     * For each fault, the longest wait of a request that was streaming when the fault struck for its
     * next event (the time the fault took to recover from, as the clients felt it).
     */
    record Recovery(
            Fault fault, long millis, @Nullable RequestTrace worst, int affected, long median, int overFiveSeconds) {}

    List<Recovery> recoveries() {
        List<Recovery> all = new ArrayList<>();
        for (Fault f : faults) {
            long worst = 0;
            RequestTrace worstTrace = null;
            List<Long> waits = new ArrayList<>();
            for (RequestTrace t : accepted()) {
                List<Seen> frames = t.frames();
                // Affected: streaming when the fault struck (a frame in the second before it), so a
                // request still waiting out an earlier fault does not count against this one.
                boolean streaming = frames.stream()
                        .anyMatch(x -> x.atNanos() <= f.startNanos() && x.atNanos() > f.startNanos() - 1_000_000_000L);
                if (!streaming) {
                    continue;
                }
                Seen next = frames.stream()
                        .filter(x -> x.atNanos() > f.startNanos())
                        .findFirst()
                        .orElse(null);
                if (next == null) {
                    continue; // ended before the fault, or never got another event (reported as lost)
                }
                long wait = (next.atNanos() - f.startNanos()) / 1_000_000;
                waits.add(wait);
                if (wait > worst) {
                    worst = wait;
                    worstTrace = t;
                }
            }
            waits.sort(Comparator.naturalOrder());
            all.add(new Recovery(
                    f, worst, worstTrace, waits.size(), waits.isEmpty() ? 0 : waits.get(waits.size() / 2), (int)
                            waits.stream().filter(w -> w > 5000).count()));
        }
        return all;
    }

    /** The longest time any client went without a frame, and whose. */
    record Silence(long millis, @Nullable RequestTrace trace, String between) {}

    Silence longestSilence() {
        Silence longest = new Silence(0, null, "");
        for (RequestTrace t : accepted()) {
            List<Seen> frames = t.frames();
            for (int i = 1; i < frames.size(); i++) {
                long gap = (frames.get(i).atNanos() - frames.get(i - 1).atNanos()) / 1_000_000;
                if (gap > longest.millis()) {
                    longest = new Silence(
                            gap,
                            t,
                            frames.get(i - 1).event() + " " + frames.get(i - 1).id() + " -> "
                                    + frames.get(i).event() + " "
                                    + frames.get(i).id());
                }
            }
        }
        return longest;
    }

    /** The figures, one line each. */
    List<String> figures(List<String> leaks, Map<String, Long> redisFigures, List<String> injectionProblems) {
        List<RequestTrace> accepted = accepted();
        Map<Outcome, Long> byOutcome = traces.stream()
                .collect(Collectors.groupingBy(
                        RequestTrace::outcome, () -> new EnumMap<>(Outcome.class), Collectors.counting()));
        long refusals = traces.stream()
                .flatMap(t -> t.attempts().stream())
                .filter(a -> a.method().equals("POST") && !a.result().startsWith("200"))
                .count();
        Map<String, Long> refusalKinds = traces.stream()
                .flatMap(t -> t.attempts().stream())
                .filter(a -> a.method().equals("POST") && !a.result().startsWith("200"))
                .collect(Collectors.groupingBy(
                        a -> a.result().split(" ", 2)[0].replace(":", ""),
                        java.util.TreeMap::new,
                        Collectors.counting()));
        long resumed = accepted.stream().filter(t -> t.resumes() > 0).count();
        long replays = traces.stream()
                .flatMap(t -> t.attempts().stream())
                .filter(a -> a.result().equals("200 replayed"))
                .count();
        long resumes = accepted.stream().mapToLong(RequestTrace::resumes).sum();
        long resumeRefusals = traces.stream()
                .flatMap(t -> t.attempts().stream())
                .filter(a -> a.method().equals("GET") && !a.result().startsWith("200"))
                .count();
        Map<Kind, Long> kinds = faults.stream()
                .collect(Collectors.groupingBy(Fault::kind, () -> new EnumMap<>(Kind.class), Collectors.counting()));
        long restartsSeen = accepted.stream()
                .flatMap(t -> t.logged().stream())
                .filter(f -> f.event().equals("restart"))
                .count();
        long restartedRequests =
                reclaims.stream().map(r -> r.trace()).distinct().count();
        List<Recovery> recoveries = recoveries();
        Recovery longest = recoveries.stream()
                .max(Comparator.comparingLong(Recovery::millis))
                .orElse(null);
        Silence silence = longestSilence();
        long lost = accepted.stream()
                .filter(t ->
                        t.outcome() == Outcome.LOST || t.outcome() == Outcome.RUNNING || t.outcome() == Outcome.BROKEN)
                .count();

        List<String> lines = new ArrayList<>();
        lines.add("seed: " + config.seed() + " (repeat the schedule with -Dchaos.seed=" + config.seed() + ")");
        lines.add("requests: " + traces.size() + " (" + config.requests() + " concurrent clients for "
                + config.window().toSeconds() + "s, answers of " + config.tokens() + " tokens, "
                + config.streamLength().toMillis() + "ms each)");
        lines.add("accepted: " + accepted.size() + " (POST refusals before the stream: " + refusals + " "
                + refusalKinds + "; retries answered by idempotent replay: " + replays
                + "; never accepted before the window closed: "
                + byOutcome.getOrDefault(Outcome.NOT_ACCEPTED, 0L) + ")");
        lines.add("completed: " + byOutcome.getOrDefault(Outcome.DONE, 0L) + " done, "
                + byOutcome.getOrDefault(Outcome.ERROR, 0L) + " error");
        lines.add("resumed streams: " + resumed + " requests (" + resumes + " resumed connections; " + resumeRefusals
                + " resume attempts refused or failed, then retried)");
        lines.add("kills: workers " + kinds.getOrDefault(Kind.WORKER_KILL, 0L) + ", ingress "
                + kinds.getOrDefault(Kind.INGRESS_KILL, 0L) + ", redis " + kinds.getOrDefault(Kind.REDIS_KILL, 0L));
        lines.add("pauses: " + kinds.getOrDefault(Kind.WORKER_PAUSE, 0L)
                + pauseFigures().stream()
                        .map(p -> " [" + p.pause().target() + " stopped "
                                + (p.pause().endMillis() - p.pause().startMillis()) + "ms: " + p.running()
                                + " requests running on it, " + p.restarted() + " restarted]")
                        .collect(Collectors.joining()));
        lines.add(
                "reclaims: " + restartsSeen + " restart events seen by clients, in " + restartedRequests + " requests ("
                        + reclaims.stream().filter(r -> r.cause() == null).count() + " unexplained)");
        lines.add("reclaim latency: "
                + reclaims.stream()
                        .filter(r -> r.cause() != null)
                        .collect(Collectors.groupingBy(
                                r -> r.cause().kind(),
                                () -> new EnumMap<>(Kind.class),
                                Collectors.summarizingLong(r -> latency(r.cause(), r.restart()))))
                        .entrySet()
                        .stream()
                        .map(e -> e.getKey() + " " + e.getValue().getMin() + ".."
                                + e.getValue().getMax() + "ms (mean "
                                + Math.round(e.getValue().getAverage()) + "ms)")
                        .collect(Collectors.joining(", "))
                + " from the crash (or Redis's return) to the restart event; bound "
                + reclaimBoundMillis + "ms");
        lines.add("restarts: " + kinds.getOrDefault(Kind.WORKER_KILL, 0L) + " replacement workers, "
                + kinds.getOrDefault(Kind.INGRESS_KILL, 0L) + " ingress restarts, "
                + kinds.getOrDefault(Kind.REDIS_KILL, 0L) + " Redis restarts from AOF");
        lines.add("longest recovery: "
                + (longest == null
                        ? "n/a"
                        : longest.millis() + "ms after " + describe(longest.fault()) + " (request "
                                + idOf(longest.worst()) + ")")
                + "; per kind of fault (longest wait, worst median wait, streams that waited > 5s of those"
                + " streaming at the fault): "
                + recoveries.stream()
                        .collect(Collectors.groupingBy(
                                r -> r.fault().kind(), () -> new EnumMap<>(Kind.class), Collectors.toList()))
                        .entrySet()
                        .stream()
                        .map(e -> e.getKey() + " "
                                + e.getValue().stream()
                                        .mapToLong(Recovery::millis)
                                        .max()
                                        .orElse(0)
                                + "ms/"
                                + e.getValue().stream()
                                        .mapToLong(Recovery::median)
                                        .max()
                                        .orElse(0) + "ms/"
                                + e.getValue().stream()
                                        .mapToInt(Recovery::overFiveSeconds)
                                        .sum() + " of "
                                + e.getValue().stream()
                                        .mapToInt(Recovery::affected)
                                        .sum())
                        .collect(Collectors.joining(", ")));
        lines.add("longest silence: " + silence.millis() + "ms (request " + idOf(silence.trace()) + ", "
                + silence.between() + ")");
        lines.add("requests lost: " + lost);
        lines.add("after the run: "
                + redisFigures.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")));
        lines.add("processes started: " + leaksLine(leaks));
        if (!injectionProblems.isEmpty()) {
            lines.add("injection problems: " + injectionProblems);
        }
        return lines;
    }

    private static String leaksLine(List<String> leaks) {
        return leaks.isEmpty() ? "none alive after the suite" : "STILL ALIVE: " + leaks;
    }

    static String describe(Fault f) {
        return f.kind() + " " + f.target() + (f.replacement().isEmpty() ? "" : " -> " + f.replacement());
    }

    private static String idOf(@Nullable RequestTrace t) {
        return t == null ? "-" : String.valueOf(t.requestId());
    }

    String describeLog(@Nullable String requestId) {
        List<LogEntry> log = requestId == null ? null : logs.get(requestId);
        if (log == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder();
        int tokens = 0;
        for (LogEntry e : log) {
            if (e.type().equals("token")) {
                tokens++;
                continue;
            }
            if (tokens > 0) {
                out.append(" token x").append(tokens);
                tokens = 0;
            }
            out.append(" | ").append(e.type()).append(' ').append(e.id());
            if (!e.type().equals("queued")) {
                out.append(' ').append(e.data());
            }
        }
        if (tokens > 0) {
            out.append(" token x").append(tokens);
        }
        return out.toString();
    }

    static boolean isTerminal(String type) {
        return type.equals("done") || type.equals("error");
    }

    static @Nullable String field(String json, String name) {
        try {
            JsonNode node = JSON.readTree(json).get(name);
            return node == null || node.isNull() ? null : node.asString();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(String json) {
        String text = field(json, "text");
        return text == null ? "" : text;
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 60) + "..." + text.substring(text.length() - 60);
    }
}
