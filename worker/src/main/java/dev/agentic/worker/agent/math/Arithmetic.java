package dev.agentic.worker.agent.math;

import static dev.agentic.worker.agent.math.MathLimits.MATH_CONTEXT;
import static dev.agentic.worker.agent.math.MathLimits.MAX_EXPONENT;
import static dev.agentic.worker.agent.math.MathLimits.tooLarge;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The operations that can blow up, computed so that they cannot: each checks what its result would
 * cost before computing it (operands are already within {@link MathLimits#requireInRange}).
 */
final class Arithmetic {
    private static final MathContext LOG_DIGITS = new MathContext(17);
    private static final int DOUBLE_EXPONENT = 300;
    /** The largest exponent {@link BigDecimal#pow(int, MathContext)} takes (about 30 multiplications). */
    private static final BigDecimal MAX_POWER = BigDecimal.valueOf(999_999_999);

    private Arithmetic() {}

    static BigDecimal divide(BigDecimal dividend, BigDecimal divisor) {
        return dividend.divide(nonZero(divisor), MATH_CONTEXT);
    }

    /** {@code a % b}, refused when the quotient would have more digits than the precision. */
    static BigDecimal remainder(BigDecimal dividend, BigDecimal divisor) {
        nonZero(divisor);
        if (dividend.signum() != 0 && exponent(dividend) - exponent(divisor) >= MathLimits.PRECISION - 1) {
            throw tooLarge(
                    "The remainder of numbers this far apart needs more than " + MathLimits.PRECISION + " digits");
        }
        return dividend.remainder(divisor, MATH_CONTEXT);
    }

    /**
     * {@code base ^ exponent}: the size of the result (log10|base| * exponent) is estimated first and
     * refused beyond {@link MathLimits#MAX_EXPONENT}; integer exponents are exact to the precision.
     */
    static BigDecimal power(BigDecimal base, BigDecimal exponent) {
        if (exponent.signum() == 0) {
            return BigDecimal.ONE;
        }
        if (base.signum() == 0) {
            return exponent.signum() > 0 ? BigDecimal.ZERO : divide(BigDecimal.ONE, base);
        }
        boolean integral = isIntegral(exponent);
        if (base.abs().compareTo(BigDecimal.ONE) == 0 && integral) {
            return base.signum() > 0 || !isOdd(exponent) ? BigDecimal.ONE : BigDecimal.ONE.negate();
        }
        double magnitude = decimalLog(base.abs()) * exponent.doubleValue();
        if (!(Math.abs(magnitude) <= MAX_EXPONENT) || exponent.abs().compareTo(MAX_POWER) > 0) {
            throw tooLarge(
                    "The power is beyond the supported range (1e-" + MAX_EXPONENT + " to 1e" + MAX_EXPONENT + ")");
        }
        if (!integral && base.signum() < 0) {
            throw new ArithmeticException("A negative number to a fractional power is not a real number");
        }
        return integral ? base.pow(exponent.intValueExact(), MATH_CONTEXT) : fractionalPower(base, exponent);
    }

    /** {@code n!} for a whole n up to {@link MathLimits#MAX_FACTORIAL}. */
    static BigDecimal factorial(BigDecimal n) {
        if (n.signum() < 0 || !isIntegral(n)) {
            throw new ArithmeticException("The factorial needs a whole number of at least 0");
        }
        if (n.compareTo(BigDecimal.valueOf(MathLimits.MAX_FACTORIAL)) > 0) {
            throw tooLarge(
                    "The factorial of a number above " + MathLimits.MAX_FACTORIAL + " is beyond 1e" + MAX_EXPONENT);
        }
        BigInteger product = BigInteger.ONE;
        for (int i = 2; i <= n.intValue(); i++) {
            product = product.multiply(BigInteger.valueOf(i));
        }
        return new BigDecimal(product, MATH_CONTEXT);
    }

    /** {@code round(value, places)} with whole places up to {@link MathLimits#MAX_EXPONENT} either way. */
    static BigDecimal round(BigDecimal value, BigDecimal places) {
        if (places.abs().compareTo(BigDecimal.valueOf(MAX_EXPONENT)) > 0) {
            throw tooLarge("round takes at most " + MAX_EXPONENT + " places either way");
        }
        if (!isIntegral(places)) {
            throw new ArithmeticException("round needs a whole number of places");
        }
        return value.setScale(places.intValueExact(), MATH_CONTEXT.getRoundingMode());
    }

    static BigDecimal sqrt(BigDecimal value) {
        if (value.signum() < 0) {
            throw new ArithmeticException("The square root of a negative number is not a real number");
        }
        return value.sqrt(MATH_CONTEXT);
    }

    /** The natural logarithm, to double precision, of any positive number in range. */
    static BigDecimal ln(BigDecimal value) {
        positive(value);
        boolean fitsDouble = Math.abs(exponent(value)) < DOUBLE_EXPONENT;
        return BigDecimal.valueOf(fitsDouble ? Math.log(value.doubleValue()) : decimalLog(value) * Math.log(10));
    }

    static BigDecimal log10(BigDecimal value) {
        return BigDecimal.valueOf(decimalLog(positive(value)));
    }

    private static BigDecimal fractionalPower(BigDecimal base, BigDecimal exponent) {
        BigDecimal whole = exponent.setScale(0, RoundingMode.DOWN);
        double fraction = exponent.subtract(whole).doubleValue();
        BigDecimal wholePower = base.pow(whole.intValueExact(), MATH_CONTEXT);
        boolean fitsDouble = Math.abs(exponent(base)) < DOUBLE_EXPONENT;
        BigDecimal fractionPower = fitsDouble
                ? BigDecimal.valueOf(Math.pow(base.doubleValue(), fraction))
                : powerOfTen(fraction * decimalLog(base));
        return wholePower.multiply(fractionPower, MATH_CONTEXT);
    }

    /** 10^x for |x| up to a few thousand, without overflowing a double. */
    private static BigDecimal powerOfTen(double x) {
        double whole = Math.floor(x);
        return BigDecimal.valueOf(Math.pow(10, x - whole)).scaleByPowerOfTen((int) whole);
    }

    /** log10 of a positive number, to double precision, whatever its exponent. */
    private static double decimalLog(BigDecimal positive) {
        BigDecimal leading = positive.round(LOG_DIGITS);
        return Math.log10(leading.unscaledValue().doubleValue()) - leading.scale();
    }

    /** The decimal exponent: 2 for 123, -3 for 0.00123. */
    private static long exponent(BigDecimal value) {
        return (long) value.precision() - value.scale() - 1;
    }

    private static boolean isIntegral(BigDecimal value) {
        return value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
    }

    private static boolean isOdd(BigDecimal integral) {
        return integral.toBigIntegerExact().testBit(0);
    }

    private static BigDecimal nonZero(BigDecimal divisor) {
        if (divisor.signum() == 0) {
            throw new ArithmeticException("Division by zero");
        }
        return divisor;
    }

    private static BigDecimal positive(BigDecimal value) {
        if (value.signum() <= 0) {
            throw new ArithmeticException("The logarithm of a number at or below 0 is undefined");
        }
        return value;
    }
}
