package dev.agentic.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisKeysTest {
    private static final String ID = RequestId.newId();

    @Test
    void keysOfOneRequestShareAHashTag() {
        String tag = "{" + ID + "}";
        assertThat(RedisKeys.request(ID)).contains(tag);
        assertThat(RedisKeys.events(ID)).contains(tag);
        assertThat(RedisKeys.eventsChannel(ID)).contains(tag);
    }

    @Test
    void channelNameGivesBackItsRequestId() {
        assertThat(RedisKeys.requestIdOfChannel(RedisKeys.eventsChannel(ID))).isEqualTo(ID);
    }

    @Test
    void refusesToBuildKeysFromForeignIds() {
        assertThatThrownBy(() -> RedisKeys.request("x}{y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisKeys.events("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lanesHaveTheirOwnStreams() {
        assertThat(RedisKeys.queue(Lane.INTERACTIVE)).isEqualTo("agentic:queue:interactive");
        assertThat(RedisKeys.queue(Lane.BATCH)).isEqualTo("agentic:queue:batch");
    }

    @Test
    void keysOfOneTenantsLimitsAndUsageShareTheTenantAsHashTag() {
        assertThat(RedisKeys.rateLimiter("acme", "burst")).isEqualTo("agentic:rate:{acme}:burst");
        assertThat(RedisKeys.streamPermits("acme")).isEqualTo("agentic:streams:{acme}");
        assertThat(RedisKeys.usageDay("acme", "2026-11-27")).isEqualTo("agentic:usage:{acme}:2026-11-27");
        assertThat(RedisKeys.usageMonth("acme", "2026-11")).isEqualTo("agentic:usage:{acme}:2026-11");
        assertThat(RedisKeys.usageCounted("acme", "2026-11-27")).isEqualTo("agentic:usage:{acme}:2026-11-27:counted");
    }

    @Test
    void refusesTenantNamesAndPeriodsThatCouldBreakOutOfTheirKey() {
        assertThatThrownBy(() -> RedisKeys.streamPermits("a}b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisKeys.streamPermits("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisKeys.usageDay("acme", "2026-11")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisKeys.usageMonth("acme", "*")).isInstanceOf(IllegalArgumentException.class);
    }
}
