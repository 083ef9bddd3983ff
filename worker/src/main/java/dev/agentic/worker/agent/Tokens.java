package dev.agentic.worker.agent;

import java.util.ArrayList;
import java.util.List;

/** Splits text the way local agents stream it: word by word, keeping the spacing. */
public final class Tokens {
    private Tokens() {}

    /** "a b  c" becomes ["a", " b", "  c"]: concatenated, the pieces give back the text. */
    public static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i)) && !Character.isWhitespace(text.charAt(i - 1))) {
                pieces.add(text.substring(start, i));
                start = i;
            }
        }
        if (start < text.length()) {
            pieces.add(text.substring(start));
        }
        return pieces;
    }

    /**
     * A rough token count (words) for agents that call no LLM. Counts in one pass without copying:
     * a 1 MB document costs no more than reading it.
     */
    public static long estimate(String text) {
        long words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
        }
        return words;
    }
}
