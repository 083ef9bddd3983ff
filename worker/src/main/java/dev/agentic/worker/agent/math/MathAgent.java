package dev.agentic.worker.agent.math;

import com.ezylang.evalex.EvaluationException;
import com.ezylang.evalex.Expression;
import com.ezylang.evalex.config.ExpressionConfiguration;
import com.ezylang.evalex.parser.ParseException;
import dev.agentic.model.Usage;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.EventSink;
import dev.agentic.worker.agent.Tokens;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Evaluates arithmetic for real (EvalEx): "What is 2+2?", "(25 * 4) + sqrt(144)", "15% of 80". The
 * calculation shows as a {@code calculator} tool call, then the steps and result stream as tokens.
 */
public final class MathAgent implements Agent {
    private static final MathContext DISPLAY = new MathContext(15);
    /** The precision EvalEx computes with: an integer with fewer digits than this was not rounded. */
    private static final int EXACT_DIGITS = ExpressionConfiguration.DEFAULT_MATH_CONTEXT.getPrecision();

    @Override
    public String name() {
        return "math";
    }

    @Override
    public AgentResult run(AgentRequest request, EventSink sink) {
        String expression = ExpressionExtractor.extract(request.query());
        sink.toolStart("calculator", expression);
        String result = format(evaluate(expression));
        sink.toolEnd("calculator", result);
        String answer = "Expression: " + expression + "\nResult: " + result;
        for (String token : Tokens.split(answer)) {
            sink.token(token);
        }
        return new AgentResult(
                new Usage(Tokens.estimate(request.query()), Tokens.split(answer).size(), 0), "stop");
    }

    static BigDecimal evaluate(String expression) {
        try {
            return new Expression(expression).evaluate().getNumberValue();
        } catch (ParseException e) {
            throw new AgentException(
                    "math_unparseable",
                    "Could not read '" + expression + "' as arithmetic: " + e.getMessage(),
                    false,
                    e);
        } catch (EvaluationException e) {
            throw new AgentException(
                    "math_unparseable", "Could not evaluate '" + expression + "': " + e.getMessage(), false, e);
        } catch (NumberFormatException e) {
            // EvalEx reads literals with new BigDecimal(..): "1e9999999999" overflows the exponent.
            throw new AgentException(
                    "math_unparseable", "Could not read a number in '" + expression + "': " + e.getMessage(), false, e);
        } catch (ArithmeticException e) {
            throw new AgentException(
                    "math_error", "Arithmetic error in '" + expression + "': " + e.getMessage(), false, e);
        }
    }

    /**
     * Integers EvalEx holds exactly are shown in full; anything else with 15 significant digits,
     * in scientific notation when the integer part would otherwise be padded with made-up zeros.
     */
    static String format(BigDecimal value) {
        BigDecimal exact = value.stripTrailingZeros();
        if (exact.scale() <= 0 && exact.precision() < EXACT_DIGITS) {
            return exact.toPlainString();
        }
        BigDecimal rounded = value.round(DISPLAY).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.toString() : rounded.toPlainString();
    }
}
