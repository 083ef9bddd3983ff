package dev.agentic.ingress.admission;

import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.Job;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Refuses work before anything is accepted when it would overload the queue or could not be served
 * in time: 429 with {@code Retry-After} computed from the lane's observed drain rate.
 */
@Component
public class Admission {
    private final LaneLoads monitor;
    private final Clock clock;
    private final MeterRegistry meters;

    Admission(LaneLoads monitor, Clock clock, MeterRegistry meters) {
        this.monitor = monitor;
        this.clock = clock;
        this.meters = meters;
    }

    /** Throws a 429 problem when the job's lane is full or its deadline cannot be met. */
    public void admit(Job job) {
        LaneLoad load = monitor.load(job.lane());
        if (load.lag() >= load.maxDepth()) {
            throw refused(
                    "queue_full",
                    "The " + job.lane().wireName() + " queue is full (" + load.lag() + " waiting, limit "
                            + load.maxDepth() + "); retry later",
                    load.secondsUntilRoom(),
                    load);
        }
        double waitSeconds = load.predictedWaitSeconds();
        double allowedSeconds = (job.deadlineMs() - clock.millis()) / 1000.0;
        if (waitSeconds > allowedSeconds) {
            throw refused(
                    "deadline_unreachable",
                    String.format(
                            java.util.Locale.ROOT,
                            "The predicted queue wait (%.1f s) already exceeds the request's deadline (%.1f s)",
                            waitSeconds,
                            allowedSeconds),
                    LaneLoad.clampSeconds(waitSeconds - allowedSeconds),
                    load);
        }
    }

    private ApiException refused(String code, String detail, long retryAfterSeconds, LaneLoad load) {
        meters.counter("agentic.ingress.refused", "reason", code).increment();
        return new ApiException(
                HttpStatus.TOO_MANY_REQUESTS,
                code,
                detail,
                Map.of(
                        "retry_after_seconds",
                        retryAfterSeconds,
                        "queue_lag",
                        load.lag(),
                        "drain_per_second",
                        Math.round(load.drainPerSecond() * 100) / 100.0));
    }
}
