package dev.agentic.worker.agent.math;

import com.ezylang.evalex.EvaluationException;
import com.ezylang.evalex.Expression;
import com.ezylang.evalex.data.EvaluationValue;
import com.ezylang.evalex.parser.Token;
import java.math.BigDecimal;
import java.util.function.Function;

/** What an operator or function computes; {@link #checked} holds its operands and result within the limits. */
@FunctionalInterface
interface Computation {

    EvaluationValue compute(Expression expression, Token token, EvaluationValue... operands) throws EvaluationException;

    /** A computation on numbers only. */
    static Computation of(Function<BigDecimal[], BigDecimal> arithmetic) {
        return (expression, token, operands) -> EvaluationValue.numberValue(arithmetic.apply(numbers(operands)));
    }

    /**
     * Computes after checking every operand's range, and checks the result's: no value beyond {@link
     * MathLimits#MAX_EXPONENT} enters or leaves an operation.
     */
    default EvaluationValue checked(Expression expression, Token token, EvaluationValue... operands)
            throws EvaluationException {
        numbers(operands);
        EvaluationValue result;
        try {
            result = compute(expression, token, operands);
        } catch (NumberFormatException e) { // EvalEx's double-based functions on NaN or infinity
            throw new ArithmeticException("The result is not a finite number");
        }
        return EvaluationValue.numberValue(MathLimits.requireInRange(number(result)));
    }

    private static BigDecimal[] numbers(EvaluationValue... operands) {
        BigDecimal[] numbers = new BigDecimal[operands.length];
        for (int i = 0; i < operands.length; i++) {
            numbers[i] = MathLimits.requireInRange(number(operands[i]));
        }
        return numbers;
    }

    private static BigDecimal number(EvaluationValue value) {
        if (!value.isNumberValue()) {
            throw new ArithmeticException("Only numbers can be calculated with");
        }
        return value.getNumberValue();
    }
}
