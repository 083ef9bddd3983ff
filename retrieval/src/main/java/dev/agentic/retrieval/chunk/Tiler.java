package dev.agentic.retrieval.chunk;

import dev.agentic.retrieval.Checkpoint;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cuts a section body into tiles: paragraphs (blank-line separated; a fenced code block is one
 * paragraph), then sentences (lines for code), and a sentence longer than a chunk into words (a
 * word longer than a chunk into slices of characters, never between the halves of a surrogate
 * pair). Each step scans forward only, so the work is linear in the length of the body.
 */
final class Tiler {
    private final Measure measure;

    Tiler(Measure measure) {
        this.measure = measure;
    }

    List<Tile> tiles(String body, Checkpoint checkpoint) {
        List<Tile> tiles = new ArrayList<>();
        BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ROOT);
        List<Paragraph> paragraphs = paragraphs(body, checkpoint);
        for (int p = 0; p < paragraphs.size(); p++) {
            Paragraph paragraph = paragraphs.get(p);
            for (int[] unit : units(body, paragraph, sentences, checkpoint)) {
                checkpoint.check();
                addFitting(body, unit[0], unit[1], p, tiles, checkpoint);
            }
        }
        return tiles;
    }

    private record Paragraph(int start, int end, boolean code) {}

    private static List<Paragraph> paragraphs(String body, Checkpoint checkpoint) {
        List<Paragraph> paragraphs = new ArrayList<>();
        MarkdownSections.Fences fences = new MarkdownSections.Fences();
        int start = -1;
        boolean code = false;
        int pos = 0;
        while (pos < body.length()) {
            checkpoint.check();
            int newline = body.indexOf('\n', pos);
            int lineEnd = newline < 0 ? body.length() : newline;
            String line = body.substring(pos, lineEnd);
            boolean wasInside = fences.inside();
            boolean isCode = fences.isCode(line);
            boolean opensFence = isCode && !wasInside;
            boolean endsParagraph = opensFence || (!isCode && line.isBlank());
            if (endsParagraph && start >= 0) {
                add(paragraphs, body, start, pos, code);
                start = -1;
            }
            if (start < 0 && (isCode || !line.isBlank())) {
                start = pos;
                code = isCode;
            }
            if (wasInside && !fences.inside()) {
                add(paragraphs, body, start, lineEnd, true);
                start = -1;
            }
            pos = lineEnd + 1;
        }
        if (start >= 0) {
            add(paragraphs, body, start, body.length(), code);
        }
        return paragraphs;
    }

    private static void add(List<Paragraph> paragraphs, String body, int start, int end, boolean code) {
        int[] trimmed = trim(body, start, end);
        if (trimmed[0] < trimmed[1]) {
            paragraphs.add(new Paragraph(trimmed[0], trimmed[1], code));
        }
    }

    /** Sentences of prose, lines of code; each trimmed, none empty. */
    private static List<int[]> units(String body, Paragraph paragraph, BreakIterator sentences, Checkpoint checkpoint) {
        List<int[]> units = new ArrayList<>();
        if (paragraph.code()) {
            int pos = paragraph.start();
            while (pos < paragraph.end()) {
                checkpoint.check();
                int newline = body.indexOf('\n', pos);
                int lineEnd = newline < 0 || newline > paragraph.end() ? paragraph.end() : newline;
                addTrimmed(units, body, pos, lineEnd);
                pos = lineEnd + 1;
            }
            return units;
        }
        sentences.setText(body.substring(paragraph.start(), paragraph.end()));
        int from = sentences.first();
        for (int to = sentences.next(); to != BreakIterator.DONE; from = to, to = sentences.next()) {
            checkpoint.check();
            addTrimmed(units, body, paragraph.start() + from, paragraph.start() + to);
        }
        return units;
    }

    private static void addTrimmed(List<int[]> units, String body, int start, int end) {
        int[] trimmed = trim(body, start, end);
        if (trimmed[0] < trimmed[1]) {
            units.add(trimmed);
        }
    }

    /**
     * Adds the unit as one tile if it fits in a chunk, else each of its words as a tile, so the
     * packer can fill chunks and overlap them word by word.
     */
    private void addFitting(String body, int start, int end, int paragraph, List<Tile> tiles, Checkpoint checkpoint) {
        int words = Measure.words(body, start, end);
        if (measure.fits(end - start, words)) {
            tiles.add(new Tile(start, end, paragraph, words));
            return;
        }
        for (int[] word : words(body, start, end)) {
            checkpoint.check();
            if (measure.fits(word[1] - word[0], 1)) {
                tiles.add(new Tile(word[0], word[1], paragraph, 1));
            } else {
                addSlices(body, word[0], word[1], paragraph, tiles);
            }
        }
    }

    /**
     * A single word longer than a chunk, cut into the longest slices that fit and do not split a
     * surrogate pair (one character shorter where they would).
     */
    private void addSlices(String body, int start, int end, int paragraph, List<Tile> tiles) {
        int slice = measure.maxChars();
        for (int from = start; from < end; ) {
            int to = Math.min(end, from + slice);
            if (to < end && to - from > 1 && Character.isSurrogatePair(body.charAt(to - 1), body.charAt(to))) {
                to--;
            }
            tiles.add(new Tile(from, to, paragraph, 1));
            from = to;
        }
    }

    private static List<int[]> words(String text, int start, int end) {
        List<int[]> words = new ArrayList<>();
        int wordStart = -1;
        for (int i = start; i <= end; i++) {
            boolean space = i == end || Character.isWhitespace(text.charAt(i));
            if (space && wordStart >= 0) {
                words.add(new int[] {wordStart, i});
                wordStart = -1;
            } else if (!space && wordStart < 0) {
                wordStart = i;
            }
        }
        return words;
    }

    static int[] trim(String text, int start, int end) {
        int from = start;
        int to = end;
        while (from < to && Character.isWhitespace(text.charAt(from))) {
            from++;
        }
        while (to > from && Character.isWhitespace(text.charAt(to - 1))) {
            to--;
        }
        return new int[] {from, to};
    }
}
