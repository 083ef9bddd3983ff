package dev.agentic.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void escapesLineBreaksSoNoInputForgesALogLine() {
        String forged = LogText.safe("2+2\r\n2026-12-01 INFO admin logged in\u001b[31m");

        assertThat(forged).doesNotContain("\r", "\n", "\u001b");
        assertThat(forged).isEqualTo("2+2\\u000d\\u000a2026-12-01 INFO admin logged in\\u001b[31m");
    }

    @Test
    void cutsLongText() {
        assertThat(LogText.safe("x".repeat(10_000)))
                .hasSize(LogText.MAX_CHARS + 3)
                .endsWith("...");
        assertThat(LogText.safe("plain é text")).isEqualTo("plain é text");
    }
}
