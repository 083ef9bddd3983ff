package dev.agentic.deployment;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Spring Boot's simple duration form ({@code 30s}, {@code 10m}, {@code 2h}) as the configuration uses it. */
final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {}

    static Duration parse(String text) {
        Matcher m = SIMPLE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a simple duration: " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
