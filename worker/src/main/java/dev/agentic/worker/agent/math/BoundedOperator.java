package dev.agentic.worker.agent.math;

import com.ezylang.evalex.EvaluationException;
import com.ezylang.evalex.Expression;
import com.ezylang.evalex.config.ExpressionConfiguration;
import com.ezylang.evalex.data.EvaluationValue;
import com.ezylang.evalex.operators.OperatorIfc;
import com.ezylang.evalex.parser.Token;

/**
 * An EvalEx operator whose operands and result stay within {@link MathLimits}: EvalEx's own operator
 * lends only its precedence and associativity ({@code shape}); the {@code computation} is ours.
 */
record BoundedOperator(OperatorIfc shape, Computation computation) implements OperatorIfc {

    @Override
    public EvaluationValue evaluate(Expression expression, Token operatorToken, EvaluationValue... operands)
            throws EvaluationException {
        return computation.checked(expression, operatorToken, operands);
    }

    @Override
    public int getPrecedence() {
        return shape.getPrecedence();
    }

    @Override
    public int getPrecedence(ExpressionConfiguration configuration) {
        return shape.getPrecedence(configuration);
    }

    @Override
    public boolean isLeftAssociative() {
        return shape.isLeftAssociative();
    }

    @Override
    public boolean isPrefix() {
        return shape.isPrefix();
    }

    @Override
    public boolean isPostfix() {
        return shape.isPostfix();
    }

    @Override
    public boolean isInfix() {
        return shape.isInfix();
    }

    @Override
    public boolean isOperandLazy() {
        return false;
    }
}
