package dev.agentic.ingress.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which value is in force, how rates become windows, and how the header fields read. */
class TenantLimitsRulesTest {
    private static final TenantLimits CONFIGURED = new TenantLimits(100, 200, 0, 1000, 0, 0);

    @Test
    void aTenantsOwnValueWinsOverTheGlobalOneWhichWinsOverTheConfiguration() {
        Map<String, String> live = Map.of(
                "default.max-streams", "50",
                "default.rate-per-second", "10",
                "tenant.acme.max-streams", "5",
                "tenant.acme.daily-budget-usd", "2.5",
                "tenant.other.burst", "1");

        TenantLimits acme = CONFIGURED.overriddenBy(live, "default.").overriddenBy(live, "tenant.acme.");

        assertThat(acme).isEqualTo(new TenantLimits(10, 200, 0, 5, 2.5, 0));
    }

    @Test
    void aBadLiveValueIsIgnored() {
        TenantLimits limits = CONFIGURED.overriddenBy(
                Map.of("default.max-streams", "many", "default.daily-budget-usd", "-1"), "default.");

        assertThat(limits).isEqualTo(CONFIGURED);
    }

    @Test
    void operatorsValuesAreValidated() {
        assertThat(TenantLimits.validated("max-streams", "0")).isEqualTo("0");
        assertThat(TenantLimits.validated("daily-budget-usd", "12")).isEqualTo("12.0");
        assertThatThrownBy(() -> TenantLimits.validated("burst", "0")).hasMessageContaining("burst");
        assertThatThrownBy(() -> TenantLimits.validated("max-streams", "-1")).hasMessageContaining("max-streams");
        assertThatThrownBy(() -> TenantLimits.validated("monthly-budget-usd", "NaN"))
                .hasMessageContaining("USD");
        assertThatThrownBy(() -> TenantLimits.validated("speed", "1")).hasMessageContaining("unknown limit");
    }

    @Test
    void theBurstWindowHoldsBurstQueriesInBurstOverRateSeconds() {
        assertThat(TenantLimiter.windows(new TenantLimits(100, 200, 3000, 0, 0, 0)))
                .containsExactly(
                        new TenantLimiter.Window("burst", 200, Duration.ofSeconds(2)),
                        new TenantLimiter.Window("minute", 3000, Duration.ofMinutes(1)));
        assertThat(TenantLimiter.windows(new TenantLimits(3, 1, 0, 0, 0, 0)))
                .containsExactly(new TenantLimiter.Window("burst", 1, Duration.ofNanos(333_334_000)));
        assertThat(TenantLimiter.windows(new TenantLimits(0, 5, 0, 0, 0, 0))).isEmpty();
    }

    @Test
    void headerFieldsListEveryWindowAndReportTheOneClosestToExhaustion() {
        RateLimitHeaders headers = RateLimitHeaders.of(List.of(
                new RateLimitHeaders.Window("burst", 200, 2, 150, 2),
                new RateLimitHeaders.Window("minute", 3000, 60, 30, 60)));

        assertThat(headers.fields())
                .containsEntry("RateLimit-Policy", "\"burst\";q=200;w=2, \"minute\";q=3000;w=60")
                .containsEntry("RateLimit", "\"minute\";r=30;t=60");
        assertThat(RateLimitHeaders.of(List.of()).fields()).isEmpty();
    }
}
