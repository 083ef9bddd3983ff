package dev.agentic.worker.agent.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.agentic.worker.agent.AgentException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExpressionExtractorTest {

    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource(
            delimiter = '|',
            value = {
                "What is 2+2?                | 2+2",
                "(25 * 4) + sqrt(144)        | (25 * 4) + sqrt(144)",
                "What is 15% of 80?          | (15/100)*80",
                "what's 12.5 % of 200        | (12.5/100)*200",
                "10 % 3                      | 10 % 3",
                "50% + 10                    | (50/100) + 10",
                "2 x 3                       | 2 * 3",
                "Please calculate: 6 × 7 =   | 6 * 7",
                "How much is 5 plus 3?       | 5 + 3",
                "9 divided by 3 minus 1      | 9 / 3 - 1",
                "2 to the power of 10        | 2 ^ 10",
            })
    void turnsQuestionIntoExpression(String question, String expression) {
        assertThat(ExpressionExtractor.extract(question)).isEqualTo(expression);
    }

    @ParameterizedTest
    @ValueSource(strings = {"What is the meaning of life?", "", "   ", "what is ?", "rm -rf /; 1", "2 + \"a\""})
    void refusesTextWithoutArithmeticAsUnparseable(String question) {
        assertThatThrownBy(() -> ExpressionExtractor.extract(question))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo("math_unparseable");
                    assertThat(e.retryable()).isFalse();
                });
    }

    static String[] craftedLines() {
        int n = 100_000;
        return new String[] {
            "1" + " ".repeat(n) + "x",
            "1" + "?.!= ".repeat(n / 5) + "x",
            "1".repeat(n) + "x",
            "1".repeat(n / 2) + "." + "1".repeat(n / 2) + " %",
            "1" + " ".repeat(n) + "% o",
            "1%" + " ".repeat(n) + "x",
            "1" + " ".repeat(n) + "x" + " ".repeat(n) + "y",
            "what is ".repeat(n / 8),
            "please " + " ".repeat(n) + "what",
        };
    }

    /** The normalizing regexes are linear: a crafted line of 100k characters takes milliseconds, not minutes. */
    @ParameterizedTest
    @MethodSource("craftedLines")
    void normalizesCraftedLongLinesInLinearTime(String line) {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            try {
                ExpressionExtractor.normalize(line);
            } catch (AgentException e) {
                assertThat(e.code()).isEqualTo("math_unparseable");
            }
        });
    }

    @ParameterizedTest
    @MethodSource("craftedLines")
    void refusesOverlongQuestionsAsTooLarge(String line) {
        assertThatThrownBy(
                        () -> assertTimeoutPreemptively(Duration.ofSeconds(2), () -> ExpressionExtractor.extract(line)))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo("math_too_large");
                    assertThat(e.retryable()).isFalse();
                });
    }
}
