package dev.agentic.worker.agent.math;

import dev.agentic.worker.agent.AgentException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * What the math agent computes at most for one input (bounded work per input). Within these limits
 * every evaluation takes well under a millisecond of CPU and a few KiB; beyond them the agent refuses
 * with {@code math_too_large} before computing. docs/guarantees.md lists them ("Bounded cost: the math
 * agent").
 */
final class MathLimits {
    /** The longest question read (characters), before any pattern runs on it. */
    static final int MAX_QUESTION_CHARS = 2_000;

    /** The longest expression evaluated (characters), after the words around it are removed. */
    static final int MAX_EXPRESSION_CHARS = 500;

    /** The deepest nesting of parentheses. */
    static final int MAX_NESTING = 30;

    /** The most operators, function calls and implicit products ({@code 2(3)}) in one expression. */
    static final int MAX_OPERATIONS = 100;

    /**
     * The largest decimal exponent of any literal, intermediate value or result: every number is 0 or
     * has a magnitude between 1e-1000 and 1e1000 (exclusive of 1e1001).
     */
    static final int MAX_EXPONENT = 1_000;

    /** Significant digits every operation computes with (EvalEx's default precision, now fixed). */
    static final int PRECISION = 68;

    /** The precision and rounding of every operation. */
    static final MathContext MATH_CONTEXT = new MathContext(PRECISION, RoundingMode.HALF_EVEN);

    /** The largest factorial argument: 449! is about 3.9e997, 450! exceeds 1e{@value #MAX_EXPONENT}. */
    static final int MAX_FACTORIAL = 449;

    /** The longest result shown (characters); large or tiny numbers are shown in scientific notation. */
    static final int MAX_RESULT_CHARS = 100;

    private MathLimits() {}

    /** The value itself, or {@code math_too_large} when its decimal exponent is beyond the limit. */
    static BigDecimal requireInRange(BigDecimal value) {
        long exponent = value.signum() == 0 ? -(long) value.scale() : (long) value.precision() - value.scale() - 1;
        if (Math.abs(exponent) > MAX_EXPONENT) {
            throw tooLarge("A number is outside the supported range (1e-" + MAX_EXPONENT + " to 1e" + MAX_EXPONENT
                    + "): about 1e" + exponent);
        }
        return value;
    }

    /** A refusal of work beyond these limits: final, the same input fails the same way again. */
    static AgentException tooLarge(String message) {
        return new AgentException("math_too_large", message, false);
    }
}
