package dev.agentic.worker.agent.math;

import dev.agentic.worker.agent.AgentException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Turns a question ("What is 15% of 80?") into an expression EvalEx can read ("(15/100)*80"). */
final class ExpressionExtractor {
    private static final Pattern LEADING_WORDS = Pattern.compile(
            "^(please\\s+)?(what\\s+is|what's|whats|how\\s+much\\s+is|calculate|compute|evaluate|solve)\\s*:?\\s*");
    private static final Pattern TRAILING = Pattern.compile("[\\s?.!=]+$");
    private static final Pattern PERCENT_OF = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%\\s*of\\s*");
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%(?!\\s*[\\d(])");
    private static final Pattern TIMES_BETWEEN_NUMBERS = Pattern.compile("(?<=[\\d)])\\s*[x×]\\s*(?=[\\d(])");
    private static final Pattern ALLOWED = Pattern.compile("[0-9a-z+\\-*/^%().,\\s_]+");

    private ExpressionExtractor() {}

    static String extract(String question) {
        String text = question.strip().toLowerCase(Locale.ROOT);
        text = LEADING_WORDS.matcher(text).replaceFirst("");
        text = TRAILING.matcher(text).replaceFirst("");
        text = text.replace("÷", "/")
                .replace(" plus ", " + ")
                .replace(" minus ", " - ")
                .replace(" times ", " * ")
                .replace(" divided by ", " / ")
                .replace(" to the power of ", " ^ ");
        text = TIMES_BETWEEN_NUMBERS.matcher(text).replaceAll(" * ");
        text = PERCENT_OF.matcher(text).replaceAll("($1/100)*");
        text = PERCENT.matcher(text).replaceAll("($1/100)");
        text = text.strip();
        if (text.isEmpty() || !ALLOWED.matcher(text).matches() || text.chars().noneMatch(Character::isDigit)) {
            throw new AgentException(
                    "math_unparseable",
                    "Could not find an arithmetic expression in '" + abbreviate(question) + "'",
                    false);
        }
        return text;
    }

    private static String abbreviate(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= 80 ? flat : flat.substring(0, 80) + "...";
    }
}
