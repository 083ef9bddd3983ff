package dev.agentic.retrieval.chunk;

/**
 * The smallest piece chunks are built from: a sentence, a line of code, or a run of words of a
 * sentence too long for one chunk. {@code [start, end)} in the section body, without surrounding
 * whitespace.
 */
record Tile(int start, int end, int paragraph, int words) {
    int length() {
        return end - start;
    }
}
