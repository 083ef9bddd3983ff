package dev.agentic.model;

/**
 * Client text made safe for a log line: control characters (CR, LF, escape sequences, ...) are
 * shown as {@code \\uXXXX} so no input can forge a log line, and long text is cut.
 */
public final class LogText {
    /** The most characters of client text a log line shows. */
    public static final int MAX_CHARS = 200;

    private LogText() {}

    /** The text with control characters escaped, cut to {@link #MAX_CHARS} characters plus "...". */
    public static String safe(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 8);
        int shown = 0;
        for (int i = 0; i < text.length(); i++) {
            if (shown >= MAX_CHARS) {
                return out.append("...").toString();
            }
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
            shown++;
        }
        return out.toString();
    }
}
