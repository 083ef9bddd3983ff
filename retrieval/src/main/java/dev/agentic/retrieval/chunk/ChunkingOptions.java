package dev.agentic.retrieval.chunk;

/**
 * How big chunks are and how much consecutive chunks share.
 *
 * @param size the most a chunk may hold, in {@code unit}s
 * @param overlap how much of the end of a chunk the next chunk of the same section repeats, at
 *     most; whole sentences where they fit, else trailing words; smaller than {@code size}
 * @param unit what {@code size} and {@code overlap} count
 */
public record ChunkingOptions(int size, int overlap, Unit unit) {
    /** What chunk sizes count. */
    public enum Unit {
        /** UTF-16 characters of the chunk's text, spaces included. */
        CHARACTERS,
        /** Whitespace-separated words. */
        WORDS
    }

    /** Default size in characters: about 200 tokens, within the 256 tokens all-MiniLM-L6-v2 was trained on. */
    public static final int DEFAULT_SIZE = 800;

    /** Default overlap in characters. */
    public static final int DEFAULT_OVERLAP = 100;

    public ChunkingOptions {
        if (size < 1) {
            throw new IllegalArgumentException("chunk size must be positive: " + size);
        }
        if (overlap < 0 || overlap >= size) {
            throw new IllegalArgumentException(
                    "chunk overlap must be at least 0 and smaller than the size " + size + ": " + overlap);
        }
    }

    /** {@value #DEFAULT_SIZE} characters with {@value #DEFAULT_OVERLAP} characters of overlap. */
    public static ChunkingOptions defaults() {
        return characters(DEFAULT_SIZE, DEFAULT_OVERLAP);
    }

    public static ChunkingOptions characters(int size, int overlap) {
        return new ChunkingOptions(size, overlap, Unit.CHARACTERS);
    }

    public static ChunkingOptions words(int size, int overlap) {
        return new ChunkingOptions(size, overlap, Unit.WORDS);
    }
}
