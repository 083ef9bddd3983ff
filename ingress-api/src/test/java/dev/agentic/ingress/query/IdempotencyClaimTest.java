package dev.agentic.ingress.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How an Idempotency-Key's value reads: claimed (id and time), or queued (id and deadline). */
class IdempotencyClaimTest {
    @Test
    void readsClaimedAndQueuedValuesAndWritesThemBack() {
        QueryService.Claim claimed = QueryService.Claim.parse("abc|1700000000000");
        assertThat(claimed).isEqualTo(new QueryService.Claim("abc", 1_700_000_000_000L, false));
        assertThat(claimed.value()).isEqualTo("abc|1700000000000");

        QueryService.Claim queued = QueryService.Claim.parse("abc|1700000300000|q");
        assertThat(queued).isEqualTo(new QueryService.Claim("abc", 1_700_000_300_000L, true));
        assertThat(queued.value()).isEqualTo("abc|1700000300000|q");
    }

    @Test
    void aMalformedValueReadsAsAnOldClaimThatMayBeTakenOver() {
        assertThat(QueryService.Claim.parse("abc|not-a-time")).isEqualTo(new QueryService.Claim("abc", 0, false));
        assertThat(QueryService.Claim.parse("abc")).isEqualTo(new QueryService.Claim("abc", 0, false));
    }
}
