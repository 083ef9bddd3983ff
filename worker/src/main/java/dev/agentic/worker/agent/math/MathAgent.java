package dev.agentic.worker.agent.math;

import dev.agentic.model.Usage;
import dev.agentic.worker.agent.Agent;
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
    /** The precision every operation computes with: an integer with fewer digits than this was not rounded. */
    private static final int EXACT_DIGITS = MathLimits.PRECISION;

    /** Evaluating an expression computes (bounded by MathLimits). */
    @Override
    public boolean computes() {
        return true;
    }

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
        return BoundedEvaluator.evaluate(expression);
    }

    /**
     * Integers held exactly (fewer digits than the precision) are shown in full; anything else with 15
     * significant digits, in scientific notation when the integer part would otherwise be padded with
     * made-up zeros or the fraction starts with more than 6 zeros (1E-7, as {@link BigDecimal#toString}
     * does). Never longer than {@link MathLimits#MAX_RESULT_CHARS}.
     */
    static String format(BigDecimal value) {
        BigDecimal exact = value.stripTrailingZeros();
        if (exact.scale() <= 0 && exact.precision() - exact.scale() < EXACT_DIGITS) {
            return exact.toPlainString();
        }
        BigDecimal rounded = value.round(DISPLAY).stripTrailingZeros();
        String shown = rounded.toString();
        if (shown.length() > MathLimits.MAX_RESULT_CHARS) { // unreachable within MAX_EXPONENT: a last guard
            throw MathLimits.tooLarge("The result is longer than " + MathLimits.MAX_RESULT_CHARS + " characters");
        }
        return shown;
    }
}
