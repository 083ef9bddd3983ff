package dev.agentic.worker.agent.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.RecordingSink;
import dev.agentic.worker.agent.RecordingSink.Call;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MathAgentTest {
    private final MathAgent agent = new MathAgent();
    private final RecordingSink sink = new RecordingSink();

    private AgentResult ask(String query) {
        return agent.run(new AgentRequest("00000000-0000-0000-0000-000000000000", "t", query, null), sink);
    }

    @ParameterizedTest(name = "''{0}'' = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "What is 2+2?               | 4",
                "(25 * 4) + sqrt(144)       | 112",
                "What is 15% of 80?         | 12",
                "10 % 3                     | 1",
                "2 x 3                      | 6",
                "What is 12.5% of 200?      | 25",
                "1/3                        | 0.333333333333333",
                "1e20                       | 100000000000000000000",
            })
    void answersWithTheResult(String query, String result) {
        ask(query);

        assertThat(sink.text()).endsWith("Result: " + result);
        assertThat(sink.calls()).contains(new Call("tool_end", "calculator", result));
    }

    @ParameterizedTest(name = "''{0}'' = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "2^100                      | 1267650600228229401496703205376",
                "99999999999999999 + 1      | 100000000000000000",
                "2^200                      | 1606938044258990275541962092341162602522202993782792835301376",
                "2^300                      | 2.03703597633449E+90",
                "2^100 + 0.5                | 1.26765060022823E+30",
            })
    void neverShowsRoundedDigitsAsIfTheyWereExact(String query, String result) {
        ask(query);

        assertThat(sink.text()).endsWith("Result: " + result);
    }

    @Test
    void showsTheCalculationAsCalculatorToolCallBeforeTheTokens() {
        ask("What is 15% of 80?");

        assertThat(sink.calls().subList(0, 2))
                .containsExactly(
                        new Call("tool_start", "calculator", "(15/100)*80"), new Call("tool_end", "calculator", "12"));
        assertThat(sink.calls().subList(2, sink.calls().size()))
                .allSatisfy(call -> assertThat(call.kind()).isEqualTo("token"));
    }

    @Test
    void streamsTokensThatConcatenateToTheAnswer() {
        AgentResult result = ask("What is 2+2?");

        assertThat(sink.tokens()).hasSizeGreaterThan(1);
        assertThat(sink.text()).isEqualTo("Expression: 2+2\nResult: 4");
        assertThat(result.finishReason()).isEqualTo("stop");
        assertThat(result.usage().tokensOut()).isEqualTo(sink.tokens().size());
        assertThat(result.usage().tokensIn()).isPositive();
    }

    @Test
    void refusesQuestionWithoutArithmeticAsUnparseable() {
        assertThatThrownBy(() -> ask("What is the meaning of life?"))
                .isInstanceOfSatisfying(
                        AgentException.class, e -> assertThat(e.code()).isEqualTo("math_unparseable"));
        assertThat(sink.calls()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1/0", "1/0.0", "0/0", "5 divided by 0", "10 % 0"})
    void reportsDivisionByZeroAsAgentException(String query) {
        assertThatThrownBy(() -> ask(query)).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.code()).startsWith("math_");
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).containsIgnoringCase("division by zero");
        });
        assertThat(sink.tokens()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e9999999999", "2 + 1e-9999999999", "sqrt(-4)", "x + 1", "1 +", "1.5.5", "0^-1"})
    void reportsInvalidArithmeticAsAgentExceptionNotAsAnUnexpectedFailure(String query) {
        assertThatThrownBy(() -> ask(query)).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.code()).isIn("math_unparseable", "math_error");
            assertThat(e.retryable()).isFalse();
        });
    }
}
