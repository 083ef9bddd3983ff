package dev.agentic.retrieval.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Packs tiles into chunks greedily. A chunk at least half full is closed before a paragraph that
 * would not fit whole, so chunks end at paragraph boundaries where they can; each new chunk starts
 * with the overlap taken from the end of the previous one.
 */
final class Packer {
    private final Measure measure;
    private final ChunkingOptions options;

    Packer(Measure measure, ChunkingOptions options) {
        this.measure = measure;
        this.options = options;
    }

    /** The chunks as {@code [start, end)} spans of the body the tiles were cut from. */
    List<int[]> pack(String body, List<Tile> tiles) {
        List<int[]> chunks = new ArrayList<>();
        List<Tile> current = new ArrayList<>();
        int fresh = 0; // tiles in current that no earlier chunk holds
        for (int i = 0; i < tiles.size(); i++) {
            Tile tile = tiles.get(i);
            boolean closeBeforeParagraph =
                    fresh > 0 && startsParagraph(current, tile) && prefersBreak(current, tiles, i);
            if (closeBeforeParagraph || (fresh > 0 && !fitsWith(current, tile))) {
                chunks.add(span(current));
                current = overlap(body, current);
                fresh = 0;
            }
            while (!current.isEmpty() && !fitsWith(current, tile)) {
                current.removeFirst();
            }
            current.add(tile);
            fresh++;
        }
        if (fresh > 0) {
            chunks.add(span(current));
        }
        return chunks;
    }

    private static boolean startsParagraph(List<Tile> current, Tile tile) {
        return !current.isEmpty() && current.getLast().paragraph() != tile.paragraph();
    }

    /** The paragraph starting at {@code tiles[i]} does not fit whole, and the chunk is half full. */
    private boolean prefersBreak(List<Tile> current, List<Tile> tiles, int i) {
        int last = i;
        while (last + 1 < tiles.size()
                && tiles.get(last + 1).paragraph() == tiles.get(i).paragraph()) {
            last++;
        }
        List<Tile> withParagraph = new ArrayList<>(current);
        withParagraph.addAll(tiles.subList(i, last + 1));
        boolean paragraphFits = measure.fits(Measure.chars(withParagraph), Measure.words(withParagraph));
        return !paragraphFits && 2 * measure.size(current) >= options.size();
    }

    private boolean fitsWith(List<Tile> current, Tile tile) {
        if (current.isEmpty()) {
            return true;
        }
        int chars = tile.end() - current.getFirst().start();
        return measure.fits(chars, Measure.words(current) + tile.words());
    }

    /**
     * The end of a closed chunk that the next one repeats: the most whole tiles (a proper suffix)
     * within the overlap, else the trailing words of the last tile that are.
     */
    private List<Tile> overlap(String body, List<Tile> closed) {
        List<Tile> tail = new ArrayList<>();
        if (options.overlap() == 0) {
            return tail;
        }
        for (int j = closed.size() - 1; j >= 1; j--) {
            List<Tile> candidate = closed.subList(j, closed.size());
            if (!measure.fitsOverlap(Measure.chars(candidate), Measure.words(candidate))) {
                break;
            }
            tail = new ArrayList<>(candidate);
        }
        if (tail.isEmpty()) {
            trailingWords(body, closed.getLast()).ifPresent(tail::add);
        }
        return tail;
    }

    private Optional<Tile> trailingWords(String body, Tile last) {
        int start = -1;
        int words = 0;
        for (int i = last.end() - 1; i > last.start(); i--) {
            boolean wordStartsHere =
                    !Character.isWhitespace(body.charAt(i)) && Character.isWhitespace(body.charAt(i - 1));
            if (wordStartsHere) {
                if (!measure.fitsOverlap(last.end() - i, words + 1)) {
                    break;
                }
                start = i;
                words++;
            }
        }
        return start < 0 ? Optional.empty() : Optional.of(new Tile(start, last.end(), last.paragraph(), words));
    }

    private static int[] span(List<Tile> tiles) {
        return new int[] {tiles.getFirst().start(), tiles.getLast().end()};
    }
}
