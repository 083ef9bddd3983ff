package dev.agentic.retrieval.chunk;

import dev.agentic.retrieval.Limits;

/**
 * Sizes of text spans in the configured unit, and whether they fit in one chunk; each in constant
 * time but {@link #words}, which is linear in the span.
 */
final class Measure {
    private final ChunkingOptions options;

    Measure(ChunkingOptions options) {
        this.options = options;
    }

    boolean fits(int chars, int words) {
        return chars <= Limits.MAX_CHUNK_LENGTH && size(chars, words) <= options.size();
    }

    /** The most characters one chunk may hold. */
    int maxChars() {
        return switch (options.unit()) {
            case CHARACTERS -> Math.min(options.size(), Limits.MAX_CHUNK_LENGTH);
            case WORDS -> Limits.MAX_CHUNK_LENGTH;
        };
    }

    boolean fitsOverlap(int chars, int words) {
        return size(chars, words) <= options.overlap();
    }

    int size(int chars, int words) {
        return switch (options.unit()) {
            case CHARACTERS -> chars;
            case WORDS -> words;
        };
    }

    /** Whitespace-separated words in {@code text[start, end)}. */
    static int words(CharSequence text, int start, int end) {
        int words = 0;
        boolean inWord = false;
        for (int i = start; i < end; i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
        }
        return words;
    }
}
