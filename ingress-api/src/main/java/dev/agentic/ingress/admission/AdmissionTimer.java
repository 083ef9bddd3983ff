package dev.agentic.ingress.admission;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Times the admission checks a request passes before it is accepted: {@code auth} (API key),
 * {@code limits} (budget, rate and the tenant's stream permit, one Redis script), {@code queue}
 * (queue depth and deadline), each as {@code agentic.ingress.admission{check=...}} with p50 and
 * p99, and their sum per accepted request as {@code check=total}. Refused requests count in the
 * check that refused them, not in the total. docs/benchmarks.md reads these.
 */
@Component
public class AdmissionTimer {
    private static final String ATTRIBUTE = AdmissionTimer.class.getName() + ".nanos";
    private static final String METER = "agentic.ingress.admission";

    private final MeterRegistry meters;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public AdmissionTimer(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Runs one check of the request's admission and times it. */
    public <T> T time(HttpServletRequest request, String check, Supplier<T> body) {
        long start = System.nanoTime();
        try {
            return body.get();
        } finally {
            long took = System.nanoTime() - start;
            timer(check).record(took, java.util.concurrent.TimeUnit.NANOSECONDS);
            Object spent = request.getAttribute(ATTRIBUTE);
            request.setAttribute(ATTRIBUTE, (spent instanceof Long nanos ? nanos : 0L) + took);
        }
    }

    public void time(HttpServletRequest request, String check, Runnable body) {
        time(request, check, () -> {
            body.run();
            return null;
        });
    }

    /** The request passed every check: records the time they took together. */
    public void admitted(HttpServletRequest request) {
        if (request.getAttribute(ATTRIBUTE) instanceof Long nanos) {
            timer("total").record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private Timer timer(String check) {
        return timers.computeIfAbsent(
                check,
                c -> Timer.builder(METER)
                        .tag("check", c)
                        .description("Time of the admission checks before a request is accepted")
                        .publishPercentiles(0.5, 0.99)
                        .register(meters));
    }
}
