package dev.agentic.ingress.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RequestId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC);

    private static Job job(long timeoutMs) {
        long now = CLOCK.millis();
        return new Job(1, RequestId.newId(), "t", "math", "1+1", null, Lane.INTERACTIVE, now, now + timeoutMs, null);
    }

    private static Admission with(LaneLoad load) {
        return new Admission(lane -> load, CLOCK, new SimpleMeterRegistry());
    }

    @Test
    void admitsWhileTheLaneIsBelowItsThreshold() {
        with(new LaneLoad(99, 10, 100, 10)).admit(job(60_000));
    }

    @Test
    void refusesAFullLaneWithARetryAfterFromTheDrainRate() {
        // 50 over the limit (+1 for this request) at 10 jobs/s: room again in about 5.1 s.
        assertThatThrownBy(() -> with(new LaneLoad(150, 10, 100, 10)).admit(job(60_000)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().value()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("queue_full");
                    assertThat(e.properties()).containsEntry("retry_after_seconds", 6L);
                });
    }

    @Test
    void aStalledQueueStillGetsABoundedRetryAfter() {
        assertThatThrownBy(() -> with(new LaneLoad(5000, 0, 100, 0)).admit(job(60_000)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.properties()).containsEntry("retry_after_seconds", 120L));
    }

    @Test
    void refusesAtOnceADeadlineThePredictedWaitAlreadyExceeds() {
        // 80 waiting at 10/s: an 8 s wait; a 3 s deadline cannot be met.
        assertThatThrownBy(() -> with(new LaneLoad(80, 10, 1000, 10)).admit(job(3_000)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("deadline_unreachable");
                    assertThat(e.properties()).containsEntry("retry_after_seconds", 5L);
                });
        with(new LaneLoad(80, 10, 1000, 10)).admit(job(9_000));
    }
}
