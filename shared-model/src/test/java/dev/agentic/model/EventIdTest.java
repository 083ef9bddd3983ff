package dev.agentic.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventIdTest {
    @Test
    void ordersByMillisThenSequence() {
        assertThat(EventId.parse("10-5")).isLessThan(EventId.parse("11-0"));
        assertThat(EventId.parse("10-5")).isGreaterThan(EventId.parse("10-4"));
        assertThat(EventId.parse("10-5").isAfter(EventId.ZERO)).isTrue();
    }

    @Test
    void printsInRedisForm() {
        assertThat(EventId.parse("1700000000000-12")).hasToString("1700000000000-12");
    }

    @Test
    void rejectsGarbledIds() {
        for (String bad : new String[] {"", "abc", "1-", "-1", "1-2-3", "99999999999999999999-1", "1 -2"}) {
            assertThatThrownBy(() -> EventId.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
