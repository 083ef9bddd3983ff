package dev.agentic.worker.agent.math;

import com.ezylang.evalex.EvaluationException;
import com.ezylang.evalex.Expression;
import com.ezylang.evalex.data.EvaluationValue;
import com.ezylang.evalex.functions.FunctionIfc;
import com.ezylang.evalex.functions.FunctionParameterDefinition;
import com.ezylang.evalex.parser.Token;
import java.util.List;

/**
 * An EvalEx function whose arguments and result stay within {@link MathLimits}: EvalEx's own function
 * lends its parameter list ({@code shape}) and, for the cheap ones, its computation.
 */
record BoundedFunction(FunctionIfc shape, Computation computation) implements FunctionIfc {

    /** EvalEx's function as it is, with checked arguments and result: for functions of constant cost. */
    static BoundedFunction checked(FunctionIfc function) {
        return new BoundedFunction(function, function::evaluate);
    }

    @Override
    public EvaluationValue evaluate(Expression expression, Token functionToken, EvaluationValue... parameterValues)
            throws EvaluationException {
        return computation.checked(expression, functionToken, parameterValues);
    }

    @Override
    public List<FunctionParameterDefinition> getFunctionParameterDefinitions() {
        return shape.getFunctionParameterDefinitions();
    }

    @Override
    public void validatePreEvaluation(Token token, EvaluationValue... parameterValues) throws EvaluationException {
        shape.validatePreEvaluation(token, parameterValues);
    }

    @Override
    public boolean hasVarArgs() {
        return shape.hasVarArgs();
    }

    @Override
    public boolean isParameterLazy(int parameterIndex) {
        return false;
    }

    @Override
    public int getCountOfNonVarArgParameters() {
        return shape.getCountOfNonVarArgParameters();
    }
}
