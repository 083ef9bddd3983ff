package dev.agentic.retrieval.chunk;

import dev.agentic.retrieval.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Packs tiles into chunks greedily. A chunk at least half full is closed before a paragraph that
 * would not fit whole, so chunks end at paragraph boundaries where they can; each new chunk starts
 * with the overlap taken from the end of the previous one.
 *
 * <p>Linear in the number of tiles plus the size of the chunks it makes: the open chunk keeps its
 * word count as it grows and shrinks, and each paragraph's extent is computed once up front.
 */
final class Packer {
    private final Measure measure;
    private final ChunkingOptions options;

    Packer(Measure measure, ChunkingOptions options) {
        this.measure = measure;
        this.options = options;
    }

    /** The chunks as {@code [start, end)} spans of the body the tiles were cut from. */
    List<int[]> pack(String body, List<Tile> tiles, Checkpoint checkpoint) {
        List<int[]> chunks = new ArrayList<>();
        Paragraphs paragraphs = Paragraphs.of(tiles);
        Window current = new Window();
        int fresh = 0; // tiles in current that no earlier chunk holds
        for (Tile tile : tiles) {
            checkpoint.check();
            boolean closeBeforeParagraph =
                    fresh > 0 && startsParagraph(current, tile) && prefersBreak(current, paragraphs, tile);
            if (closeBeforeParagraph || (fresh > 0 && !fitsWith(current, tile))) {
                chunks.add(current.span());
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
            chunks.add(current.span());
        }
        return chunks;
    }

    private static boolean startsParagraph(Window current, Tile tile) {
        return !current.isEmpty() && current.last().paragraph() != tile.paragraph();
    }

    /** The paragraph starting at {@code tile} does not fit whole, and the chunk is half full. */
    private boolean prefersBreak(Window current, Paragraphs paragraphs, Tile tile) {
        int chars = paragraphs.end(tile.paragraph()) - current.first().start();
        int words = current.words() + paragraphs.words(tile.paragraph());
        boolean paragraphFits = measure.fits(chars, words);
        return !paragraphFits && 2 * current.size(measure) >= options.size();
    }

    private boolean fitsWith(Window current, Tile tile) {
        if (current.isEmpty()) {
            return true;
        }
        return measure.fits(tile.end() - current.first().start(), current.words() + tile.words());
    }

    /**
     * The end of a closed chunk that the next one repeats: the most whole tiles (a proper suffix)
     * within the overlap, else the trailing words of the last tile that are.
     */
    private Window overlap(String body, Window closed) {
        Window tail = new Window();
        if (options.overlap() == 0) {
            return tail;
        }
        int from = closed.size();
        int words = 0;
        for (int j = closed.size() - 1; j >= 1; j--) {
            int chars = closed.last().end() - closed.get(j).start();
            if (!measure.fitsOverlap(chars, words + closed.get(j).words())) {
                break;
            }
            words += closed.get(j).words();
            from = j;
        }
        for (int j = from; j < closed.size(); j++) {
            tail.add(closed.get(j));
        }
        if (tail.isEmpty()) {
            trailingWords(body, closed.last()).ifPresent(tail::add);
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

    /** Where each paragraph's last tile ends, and how many words its tiles hold, by paragraph number. */
    private record Paragraphs(int[] ends, int[] words) {
        static Paragraphs of(List<Tile> tiles) {
            int count = tiles.isEmpty() ? 0 : tiles.getLast().paragraph() + 1;
            int[] ends = new int[count];
            int[] words = new int[count];
            for (Tile tile : tiles) {
                ends[tile.paragraph()] = tile.end();
                words[tile.paragraph()] += tile.words();
            }
            return new Paragraphs(ends, words);
        }

        int end(int paragraph) {
            return ends[paragraph];
        }

        int words(int paragraph) {
            return words[paragraph];
        }
    }

    /** The tiles of the open chunk, with their word count kept as tiles come and go. */
    private static final class Window {
        private final List<Tile> tiles = new ArrayList<>();
        private int head; // tiles before head have left the window
        private int words;

        boolean isEmpty() {
            return head == tiles.size();
        }

        int size() {
            return tiles.size() - head;
        }

        Tile get(int index) {
            return tiles.get(head + index);
        }

        Tile first() {
            return tiles.get(head);
        }

        Tile last() {
            return tiles.getLast();
        }

        int words() {
            return words;
        }

        /** The size, in the configured unit, from the first tile's start to the last tile's end. */
        int size(Measure measure) {
            return isEmpty() ? 0 : measure.size(last().end() - first().start(), words);
        }

        void add(Tile tile) {
            tiles.add(tile);
            words += tile.words();
        }

        void removeFirst() {
            words -= first().words();
            head++;
        }

        int[] span() {
            return new int[] {first().start(), last().end()};
        }
    }
}
