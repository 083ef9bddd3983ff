package dev.agentic.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Micrometer meters the applications register in their main sources ({@code "agentic.queue.lag"}),
 * with their kind, and the series names Prometheus gives
 * them: a counter {@code agentic_jobs_reclaimed_total}, a timer {@code agentic_job_duration_seconds_count}
 * (and {@code _sum}, {@code _max}, {@code _bucket}), a gauge {@code agentic_queue_lag}.
 */
final class Meters {
    enum Kind {
        COUNTER,
        TIMER,
        GAUGE,
        /** registered through a call the scan does not recognise: any of the names is accepted */
        UNKNOWN
    }

    private static final List<String> MODULES = List.of("ingress-api", "worker", "redis-common");
    private static final Pattern QUOTED = Pattern.compile("\"(agentic\\.[a-z_.]+)\"");
    private static final Pattern CONSTANT = Pattern.compile("(\\w+)\\s*=\\s*$");

    private Meters() {}

    /** Meter name (dotted) to its kind. */
    static Map<String, Kind> registered() {
        Map<String, Kind> meters = new TreeMap<>();
        for (String module : MODULES) {
            try (Stream<Path> files = Files.walk(Repository.root().resolve(module + "/src/main/java"))) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> scan(read(f), meters));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return meters;
    }

    /** Every series name Prometheus can show for the registered meters. */
    static Set<String> prometheusNames() {
        Set<String> names = new TreeSet<>();
        registered().forEach((meter, kind) -> {
            String base = meter.replace('.', '_');
            if (kind == Kind.COUNTER || kind == Kind.UNKNOWN) {
                names.add(base + "_total");
            }
            if (kind == Kind.TIMER || kind == Kind.UNKNOWN) {
                Stream.of("_count", "_sum", "_max", "_bucket").forEach(s -> names.add(base + "_seconds" + s));
            }
            if (kind == Kind.GAUGE || kind == Kind.UNKNOWN) {
                names.add(base);
            }
        });
        return names;
    }

    private static void scan(String source, Map<String, Kind> meters) {
        Matcher m = QUOTED.matcher(source);
        while (m.find()) {
            String before = source.substring(Math.max(0, m.start() - 80), m.start());
            Kind kind = kindOfCall(before);
            Matcher constant = CONSTANT.matcher(before);
            if (kind == Kind.UNKNOWN && constant.find()) { // static final String METER = "agentic..."
                kind = kindOfUse(source, constant.group(1));
            }
            Kind known = meters.get(m.group(1));
            meters.put(m.group(1), known == null || known == kind ? kind : Kind.UNKNOWN);
        }
    }

    /** The kind of meter a name is passed to: {@code meters.counter(}, {@code Timer.builder(}, ... */
    private static Kind kindOfCall(String before) {
        String call = before.stripTrailing();
        if (call.endsWith("counter(") || call.endsWith("Counter.builder(")) {
            return Kind.COUNTER;
        }
        if (call.endsWith("timer(") || (call.endsWith("Timer.builder(") && !call.endsWith("LongTaskTimer.builder("))) {
            return Kind.TIMER;
        }
        if (call.endsWith("Gauge.builder(") || call.endsWith("gauge(")) {
            return Kind.GAUGE;
        }
        return Kind.UNKNOWN;
    }

    private static Kind kindOfUse(String source, String constant) {
        Matcher use = Pattern.compile("([\\w.]+\\()\\s*" + Pattern.quote(constant) + "\\b")
                .matcher(source);
        Kind kind = Kind.UNKNOWN;
        while (use.find() && kind == Kind.UNKNOWN) {
            kind = kindOfCall(use.group(1));
        }
        return kind;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
