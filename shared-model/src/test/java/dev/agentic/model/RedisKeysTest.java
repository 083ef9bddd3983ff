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
    }

    @Test
    void relayChannelNamesOnlyAValidInstanceId() {
        assertThat(RedisKeys.relayChannel("a1-B_2")).isEqualTo("agentic:relay:a1-B_2");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RedisKeys.relayChannel("a b"))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RedisKeys.relayChannel(""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "",
                "Acme",
                "a:b",
                "a}b",
                "a b",
                "-lead",
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            })
    void everyKeyNamingATenantRefusesWhatIsNotATenantName(String tenant) {
        String digest = "0123456789abcdef0123456789abcdef";
        for (Runnable key : java.util.List.<Runnable>of(
                () -> RedisKeys.idempotency(tenant, digest),
                () -> RedisKeys.session(tenant, digest),
                () -> RedisKeys.responseCache(tenant, digest),
                () -> RedisKeys.knowledgeVersion(tenant),
                () -> RedisKeys.streamPermits(tenant),
                () -> RedisKeys.usageDay(tenant, "2026-11-27"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(key::run).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(RedisKeys.knowledgeVersion("acme-2_b")).isEqualTo("agentic:kbver:acme-2_b");
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
        assertThat(RedisKeys.rateLimiter("acme")).isEqualTo("agentic:rate:{acme}");
        assertThat(RedisKeys.streamPermits("acme")).isEqualTo("agentic:leases:{acme}");
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
