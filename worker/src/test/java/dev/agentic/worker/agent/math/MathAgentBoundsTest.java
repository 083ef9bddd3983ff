package dev.agentic.worker.agent.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.RecordingSink;
import dev.agentic.worker.agent.RecordingSink.Call;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bounded work per input: what the math agent cannot compute within {@link MathLimits} it refuses
 * quickly with {@code math_too_large}; what it answers is short. Each call runs under a preemptive
 * time budget, so the unbounded code (minutes on several of these) fails instead of hanging.
 */
class MathAgentBoundsTest {
    /** Generous for a busy machine; the unbounded evaluation takes minutes on several inputs. */
    static final Duration BUDGET = Duration.ofSeconds(2);

    private final MathAgent agent = new MathAgent();
    private final RecordingSink sink = new RecordingSink();

    private void ask(String query) {
        assertTimeoutPreemptively(
                BUDGET,
                () -> agent.run(new AgentRequest("00000000-0000-0000-0000-000000000000", "t", query, null), sink));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "9^9^9^9",
                "9^9^9",
                "10^10^10",
                "2^1000000",
                "2^-1000000",
                "1.5^99999999",
                "(-2)^99999999.5",
                "fact(100000)",
                "fact(1000000000)",
                "fact(fact(10))",
                "fact(450)",
                "1e20000000",
                "1e1001",
                "1e-1001",
                "0e5000 + 1",
                "1e999 * 100",
                "1e-999 / 1e9",
                "round(1, 1000000000)",
                "sqrt(1e5000)",
                "1e600 % 7",
            })
    void refusesWhatItCannotComputeWithinTheLimitsAsTooLarge(String query) {
        assertThatThrownBy(() -> ask(query)).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.code()).isEqualTo("math_too_large");
            assertThat(e.retryable()).isFalse();
        });
        assertThat(sink.tokens()).isEmpty();
    }

    static String[] oversizedExpressions() {
        return new String[] {
            "(".repeat(10_000) + "1" + ")".repeat(10_000),
            "(".repeat(MathLimits.MAX_NESTING + 1) + "1" + ")".repeat(MathLimits.MAX_NESTING + 1),
            "1" + "+1".repeat(10_000),
            "1" + "+1".repeat(MathLimits.MAX_OPERATIONS + 1),
            "2" + "(2)".repeat(MathLimits.MAX_OPERATIONS + 1),
            "2" + " (2)".repeat(MathLimits.MAX_OPERATIONS + 1),
            "sqrt(".repeat(5_000) + "2" + ")".repeat(5_000),
            "1".repeat(MathLimits.MAX_EXPRESSION_CHARS + 1),
            "What is " + " ".repeat(MathLimits.MAX_QUESTION_CHARS) + "2+2?",
        };
    }

    @ParameterizedTest
    @MethodSource("oversizedExpressions")
    void refusesOversizedExpressionsBeforeEvaluatingThem(String query) {
        assertThatThrownBy(() -> ask(query)).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.code()).isEqualTo("math_too_large");
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).hasSizeLessThan(300);
        });
        assertThat(sink.calls()).isEmpty();
    }

    @ParameterizedTest(name = "''{0}'' = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "fact(20)                   | 2432902008176640000",
                "fact(449)                  | 3.85193051802807E+997",
                "fact(0)                    | 1",
                "2^0.5                      | 1.4142135623731",
                "2^-2                       | 0.25",
                "(-2)^3                     | -8",
                "0^0                        | 1",
                "1^99999999999              | 1",
                "(-1)^1000001               | -1",
                "(9^9)^9                    | 1.96627050475553E+77",
                "2^3^2                      | 512",
                "1e999                      | 1E+999",
                "-1e999                     | -1E+999",
                "1e-999                     | 1E-999",
                "1e100                      | 1E+100",
                "10^67 - 1                  | 9999999999999999999999999999999999999999999999999999999999999999999",
                "sqrt(2)                    | 1.4142135623731",
                "sqrt(1e998)                | 1E+499",
                "round(3.14159, 2)          | 3.14",
                "1e-20                      | 1E-20",
                "0.00001                    | 0.00001",
                "2^-60                      | 8.67361737988404E-19",
                "max(1, 2, 3) + min(4, 5)   | 7",
                "abs(-3) + floor(2.5)       | 5",
                "2 * pi                     | 6.28318530717959",
            })
    void answersWhatFitsTheLimitsWithAShortResult(String query, String result) {
        ask(query);

        assertThat(sink.calls()).contains(new Call("tool_end", "calculator", result));
        assertThat(result).hasSizeLessThanOrEqualTo(MathLimits.MAX_RESULT_CHARS);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "atan2r(1, 1)",
                "acoth(2)",
                "csch(1)",
                "deg(1)",
                "rad(180)",
                "sum(1, 2, 3)",
                "average(1, 2)",
                "ceiling(1.5)",
                "log(100)",
                "log10(1e999)",
                "sin(1e300)",
                "sqrt(1e-999)",
                "abs(-1e999)"
            })
    void keepsEvalExsNumericFunctions(String query) {
        ask(query);

        assertThat(sink.calls())
                .filteredOn(call -> call.kind().equals("tool_end"))
                .hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"if(1, 2, 3)", "str_upper(1) + 1", "dt_now() + 1", "random() + 1", "null + 1", "true + 1"})
    void offersNoStringDateBooleanOrRandomFunctions(String query) {
        assertThatThrownBy(() -> ask(query))
                .isInstanceOfSatisfying(
                        AgentException.class, e -> assertThat(e.code()).isEqualTo("math_unparseable"));
    }
}
