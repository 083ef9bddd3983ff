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
}
