package dev.agentic.worker.agent.math;

import com.ezylang.evalex.EvaluationException;
import com.ezylang.evalex.Expression;
import com.ezylang.evalex.config.ExpressionConfiguration;
import com.ezylang.evalex.config.FunctionDictionaryIfc;
import com.ezylang.evalex.config.MapBasedFunctionDictionary;
import com.ezylang.evalex.config.MapBasedOperatorDictionary;
import com.ezylang.evalex.config.OperatorDictionaryIfc;
import com.ezylang.evalex.functions.FunctionIfc;
import com.ezylang.evalex.operators.OperatorIfc;
import com.ezylang.evalex.operators.arithmetic.InfixDivisionOperator;
import com.ezylang.evalex.operators.arithmetic.InfixMinusOperator;
import com.ezylang.evalex.operators.arithmetic.InfixModuloOperator;
import com.ezylang.evalex.operators.arithmetic.InfixMultiplicationOperator;
import com.ezylang.evalex.operators.arithmetic.InfixPlusOperator;
import com.ezylang.evalex.operators.arithmetic.InfixPowerOfOperator;
import com.ezylang.evalex.operators.arithmetic.PrefixMinusOperator;
import com.ezylang.evalex.operators.arithmetic.PrefixPlusOperator;
import com.ezylang.evalex.parser.ParseException;
import dev.agentic.worker.agent.AgentException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Objects;
import java.util.function.Function;

/**
 * EvalEx with bounded work: only arithmetic operators and numeric functions, each computed within
 * {@link MathLimits} ({@code ^}, {@code %}, {@code fact}, {@code sqrt}, {@code round}, {@code log} by
 * {@link Arithmetic}; the rest by EvalEx on checked operands), a fixed precision, and no strings, dates,
 * booleans, arrays or structures.
 */
final class BoundedEvaluator {
    /** EvalEx functions of constant cost (doubles, or one pass over the arguments), used as they are. */
    private static final List<String> CHECKED_FUNCTIONS = List.of(
            "ABS", "CEILING", "FLOOR", "MAX", "MIN", "SUM", "AVERAGE", "DEG", "RAD", "SIN", "COS", "TAN", "COT", "SEC",
            "CSC", "ASIN", "ACOS", "ATAN", "ATAN2", "ACOT", "SINH", "COSH", "TANH", "COTH", "SECH", "CSCH", "ASINH",
            "ACOSH", "ATANH", "ACOTH", "SINR", "COSR", "TANR", "COTR", "SECR", "CSCR", "ASINR", "ACOSR", "ATANR",
            "ATAN2R", "ACOTR");

    private static final ExpressionConfiguration CONFIGURATION =
            ExpressionConfiguration.defaultConfiguration().toBuilder()
                    .mathContext(MathLimits.MATH_CONTEXT)
                    .operatorDictionary(operators())
                    .functionDictionary(functions())
                    .defaultConstants(Map.of(
                            "PI", ExpressionConfiguration.StandardConstants.get("PI"),
                            "E", ExpressionConfiguration.StandardConstants.get("E")))
                    .arraysAllowed(false)
                    .structuresAllowed(false)
                    .build();

    private BoundedEvaluator() {}

    /**
     * The value of an expression already within {@link ExpressionExtractor}'s shape limits.
     *
     * @throws AgentException {@code math_unparseable}, {@code math_error} or {@code math_too_large}
     */
    static BigDecimal evaluate(String expression) {
        try {
            return MathLimits.requireInRange(
                    new Expression(expression, CONFIGURATION).evaluate().getNumberValue());
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

    private static OperatorDictionaryIfc operators() {
        return MapBasedOperatorDictionary.ofOperators(
                operator("+", new InfixPlusOperator(), x -> x[0].add(x[1], MathLimits.MATH_CONTEXT)),
                operator("-", new InfixMinusOperator(), x -> x[0].subtract(x[1], MathLimits.MATH_CONTEXT)),
                operator("*", new InfixMultiplicationOperator(), x -> x[0].multiply(x[1], MathLimits.MATH_CONTEXT)),
                operator("/", new InfixDivisionOperator(), x -> Arithmetic.divide(x[0], x[1])),
                operator("%", new InfixModuloOperator(), x -> Arithmetic.remainder(x[0], x[1])),
                operator("^", new InfixPowerOfOperator(), x -> Arithmetic.power(x[0], x[1])),
                operator("+", new PrefixPlusOperator(), x -> x[0]),
                operator("-", new PrefixMinusOperator(), x -> x[0].negate()));
    }

    @SuppressWarnings("unchecked")
    private static FunctionDictionaryIfc functions() {
        FunctionDictionaryIfc evalEx =
                ExpressionConfiguration.defaultConfiguration().getFunctionDictionary();
        List<Entry<String, FunctionIfc>> functions = new ArrayList<>();
        CHECKED_FUNCTIONS.forEach(
                name -> functions.add(Map.entry(name, BoundedFunction.checked(evalEx(evalEx, name)))));
        functions.add(function("FACT", evalEx, x -> Arithmetic.factorial(x[0])));
        functions.add(function("SQRT", evalEx, x -> Arithmetic.sqrt(x[0])));
        functions.add(function("ROUND", evalEx, x -> Arithmetic.round(x[0], x[1])));
        functions.add(function("LOG", evalEx, x -> Arithmetic.ln(x[0])));
        functions.add(function("LOG10", evalEx, x -> Arithmetic.log10(x[0])));
        return MapBasedFunctionDictionary.ofFunctions(functions.toArray(Entry[]::new));
    }

    private static Entry<String, OperatorIfc> operator(
            String symbol, OperatorIfc shape, Function<BigDecimal[], BigDecimal> arithmetic) {
        return Map.entry(symbol, new BoundedOperator(shape, Computation.of(arithmetic)));
    }

    private static Entry<String, FunctionIfc> function(
            String name, FunctionDictionaryIfc evalEx, Function<BigDecimal[], BigDecimal> arithmetic) {
        return Map.entry(name, new BoundedFunction(evalEx(evalEx, name), Computation.of(arithmetic)));
    }

    private static FunctionIfc evalEx(FunctionDictionaryIfc evalEx, String name) {
        return Objects.requireNonNull(evalEx.getFunction(name), () -> "EvalEx has no function " + name);
    }
}
