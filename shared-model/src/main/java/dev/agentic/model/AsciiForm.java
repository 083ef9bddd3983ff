package dev.agentic.model;

/**
 * Hand-written checks of the ASCII forms that ids and key names take. They replace regular
 * expressions on the request path: every request checks its id, its tenant and its event ids
 * several times, and a regex match cost 5-8 % of an ingress's and a worker's CPU at load
 * (docs/benchmarks.md, "Where a math request's CPU goes"). Each method runs in time linear in its
 * input and stops at the first character out of form. {@code AsciiFormTest} checks each against
 * the regular expression it replaces.
 */
public final class AsciiForm {
    private AsciiForm() {}

    /** {@code [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}: a lowercase UUID. */
    public static boolean isLowercaseUuid(String text) {
        if (text.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !isLowerHex(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code [0-9a-f]{min,max}}. */
    public static boolean isLowerHex(String text, int min, int max) {
        return isLowerHex(text, 0, text.length(), min, max);
    }

    /** {@code [A-Za-z0-9_-]{min,max}}: the URL-safe token alphabet. */
    public static boolean isToken(String text, int min, int max) {
        return isToken(text, 0, text.length(), min, max);
    }

    /** {@code [a-z0-9][a-z0-9_-]{0,63}}: a tenant name. */
    public static boolean isTenantName(String text) {
        int length = text.length();
        if (length < 1 || length > 64 || !isLowerAlnum(text.charAt(0))) {
            return false;
        }
        for (int i = 1; i < length; i++) {
            char c = text.charAt(i);
            if (!isLowerAlnum(c) && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code text} has the shape {@code form}, in which {@code 9} stands for an ASCII digit
     * and every other character for itself: {@code 9999-99-99} is {@code \d{4}-\d{2}-\d{2}}.
     */
    public static boolean hasDigitShape(String text, String form) {
        if (text.length() != form.length()) {
            return false;
        }
        for (int i = 0; i < form.length(); i++) {
            char expected = form.charAt(i);
            char c = text.charAt(i);
            if (expected == '9' ? !isDigit(c) : c != expected) {
                return false;
            }
        }
        return true;
    }

    /**
     * The API key form {@code agk_<16 lowercase hex>_<16 to 128 token characters>}, the regex
     * {@code agk_([0-9a-f]{16})_([A-Za-z0-9_-]{16,128})}.
     */
    public static boolean isApiKey(String text) {
        return text.length() > 21 // the prefix, the id and the '_' are there to look at
                && text.startsWith("agk_")
                && isLowerHex(text, 4, 20, 16, 16)
                && text.charAt(20) == '_'
                && isToken(text, 21, text.length(), 16, 128);
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLowerHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f');
    }

    private static boolean isLowerAlnum(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'z');
    }

    private static boolean isLowerHex(String text, int from, int to, int min, int max) {
        int length = to - from;
        if (length < min || length > max) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isLowerHex(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isToken(String text, int from, int to, int min, int max) {
        int length = to - from;
        if (length < min || length > max) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!isDigit(c) && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }
}
