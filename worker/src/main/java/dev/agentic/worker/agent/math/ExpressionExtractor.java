package dev.agentic.worker.agent.math;

import dev.agentic.worker.agent.AgentException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a question ("What is 15% of 80?") into an expression EvalEx can read ("(15/100)*80"), and
 * refuses one beyond {@link MathLimits}' length, nesting and operation counts. Every step is linear in
 * the question's length: possessive quantifiers, and a look-behind so that no match attempt starts
 * inside a run of digits it would scan again.
 */
final class ExpressionExtractor {
    private static final Pattern LEADING_WORDS = Pattern.compile(
            "(?:please\\s++)?(?:what\\s++is|what's|whats|how\\s++much\\s++is|calculate|compute|evaluate|solve)"
                    + "\\s*+:?\\s*+");
    private static final String NUMBER = "(?<![\\d.])(\\d++(?:\\.\\d++)?+)";
    private static final Pattern PERCENT_OF = Pattern.compile(NUMBER + "\\s*+%\\s*+of\\s*+");
    private static final Pattern PERCENT = Pattern.compile(NUMBER + "\\s*+%(?!\\s*+[\\d(])");
    private static final Pattern TIMES_BETWEEN_NUMBERS = Pattern.compile("(?<=[\\d)])\\s*+[x×]\\s*+(?=[\\d(])");
    private static final Pattern ALLOWED = Pattern.compile("[0-9a-z+\\-*/^%().,\\s_]++");
    private static final String OPERATORS = "+-*/^%";

    private ExpressionExtractor() {}

    /**
     * The expression in a question.
     *
     * @throws AgentException {@code math_too_large} beyond the limits, {@code math_unparseable} when
     *     there is no arithmetic in it
     */
    static String extract(String question) {
        if (question.length() > MathLimits.MAX_QUESTION_CHARS) {
            throw MathLimits.tooLarge("The question is longer than " + MathLimits.MAX_QUESTION_CHARS + " characters");
        }
        return requireShape(normalize(question));
    }

    /** The expression with the words around it removed; no length limit (linear time). */
    static String normalize(String question) {
        String text = question.strip().toLowerCase(Locale.ROOT);
        Matcher leading = LEADING_WORDS.matcher(text);
        text = leading.lookingAt() ? text.substring(leading.end()) : text;
        text = stripTrailingPunctuation(text)
                .replace("÷", "/")
                .replace(" plus ", " + ")
                .replace(" minus ", " - ")
                .replace(" times ", " * ")
                .replace(" divided by ", " / ")
                .replace(" to the power of ", " ^ ");
        text = TIMES_BETWEEN_NUMBERS.matcher(text).replaceAll(" * ");
        text = PERCENT_OF.matcher(text).replaceAll("($1/100)*");
        text = PERCENT.matcher(text).replaceAll("($1/100)").strip();
        if (text.isEmpty() || !ALLOWED.matcher(text).matches() || text.chars().noneMatch(Character::isDigit)) {
            throw new AgentException(
                    "math_unparseable",
                    "Could not find an arithmetic expression in '" + abbreviate(question) + "'",
                    false);
        }
        return text;
    }

    /** The expression, if within the length, nesting and operation limits (one pass). */
    static String requireShape(String expression) {
        if (expression.length() > MathLimits.MAX_EXPRESSION_CHARS) {
            throw MathLimits.tooLarge(
                    "The expression is longer than " + MathLimits.MAX_EXPRESSION_CHARS + " characters");
        }
        int depth = 0;
        int operations = 0;
        char previous = ' '; // the last character that is not whitespace
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            operations += isOperator(c) || isCallOrImplicitProduct(previous, c) ? 1 : 0;
            if (depth > MathLimits.MAX_NESTING) {
                throw MathLimits.tooLarge("The expression nests parentheses deeper than " + MathLimits.MAX_NESTING);
            }
            previous = Character.isWhitespace(c) ? previous : c;
        }
        if (operations > MathLimits.MAX_OPERATIONS) {
            throw MathLimits.tooLarge("The expression has more than " + MathLimits.MAX_OPERATIONS
                    + " operators, function calls and implicit products");
        }
        return expression;
    }

    private static boolean isOperator(char c) {
        return OPERATORS.indexOf(c) >= 0;
    }

    /** An opening parenthesis after a name ({@code sqrt(}), a number or another group ({@code 2(3)}). */
    private static boolean isCallOrImplicitProduct(char previous, char c) {
        return c == '(' && (Character.isLetterOrDigit(previous) || previous == '_' || previous == ')');
    }

    /** Drops trailing whitespace and {@code ?.!=}, as a loop: a regex with {@code +$} is quadratic. */
    private static String stripTrailingPunctuation(String text) {
        int end = text.length();
        while (end > 0 && isTrailingPunctuation(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    private static boolean isTrailingPunctuation(char c) {
        return Character.isWhitespace(c) || "?.!=".indexOf(c) >= 0;
    }

    private static String abbreviate(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= 80 ? flat : flat.substring(0, 80) + "...";
    }
}
