package dev.agentic.retrieval.chunk;

import dev.agentic.retrieval.Limits;
import java.util.List;

/** Sizes of text spans in the configured unit, and whether they fit in one chunk. */
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

    /** The size of the text from the first tile's start to the last tile's end. */
    int size(List<Tile> tiles) {
        return size(chars(tiles), words(tiles));
    }

    static int chars(List<Tile> tiles) {
        return tiles.isEmpty() ? 0 : tiles.getLast().end() - tiles.getFirst().start();
    }

    static int words(List<Tile> tiles) {
        return tiles.stream().mapToInt(Tile::words).sum();
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
