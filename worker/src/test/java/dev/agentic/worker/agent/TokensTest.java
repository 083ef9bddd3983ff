package dev.agentic.worker.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokensTest {
    @Test
    void estimateCountsWords() {
        assertThat(Tokens.estimate("")).isZero();
        assertThat(Tokens.estimate(" \t\n ")).isZero();
        assertThat(Tokens.estimate("What is 2+2?")).isEqualTo(3);
        assertThat(Tokens.estimate("  leading and\r\ntrailing  ")).isEqualTo(3);
    }

    @Test
    void splitGivesBackTheTextWordByWord() {
        assertThat(Tokens.split("a b  c")).containsExactly("a", " b", "  c");
        assertThat(String.join("", Tokens.split(" x\ny "))).isEqualTo(" x\ny ");
    }
}
