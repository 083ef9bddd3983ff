package dev.agentic.retrieval.chunk;

import dev.agentic.retrieval.Checkpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Splits Markdown at its ATX headings ({@code #} to {@code ######}), outside fenced code blocks.
 * Setext headings (underlined with {@code ===}) are read as text. Lines end at {@code \n}; a
 * {@code \r} before it is ignored when a line is classified.
 *
 * <p>Every line is classified by one forward and one backward scan, never by a regular expression,
 * so the work is linear in the length of the text whatever it holds (the regular expression this
 * replaces, {@code (.*?)(?:[ \t]+#+)?[ \t]*$}, took cubic time on {@code #}, many spaces and a
 * {@code \r}).
 */
final class MarkdownSections {
    /**
     * Longest heading title kept, in characters: a section path of six headings stays within a few
     * KB however long the heading lines are, and every chunk of the section carries it.
     */
    static final int MAX_TITLE_LENGTH = 256;

    private MarkdownSections() {}

    static List<Section> of(String markdown, Checkpoint checkpoint) {
        List<Section> sections = new ArrayList<>();
        Deque<Heading> path = new ArrayDeque<>();
        StringBuilder body = new StringBuilder();
        Fences fences = new Fences();
        for (int pos = 0; pos <= markdown.length(); ) {
            checkpoint.check();
            int newline = markdown.indexOf('\n', pos);
            int lineEnd = newline < 0 ? markdown.length() : newline;
            String line = markdown.substring(pos, lineEnd);
            Heading heading = fences.isCode(line) ? null : heading(line);
            if (heading != null) {
                sections.add(new Section(titles(path), body.toString()));
                body.setLength(0);
                enter(path, heading);
            } else {
                body.append(line).append('\n');
            }
            pos = lineEnd + 1;
        }
        sections.add(new Section(titles(path), body.toString()));
        return sections.stream().filter(section -> !section.body().isBlank()).toList();
    }

    /**
     * The ATX heading on the line, if it is one: up to 3 spaces, 1 to 6 {@code #}, then the end or
     * a space or tab and the title, without an optional closing run of {@code #} that follows a
     * space or tab. The title is cut to {@value #MAX_TITLE_LENGTH} characters.
     */
    static @Nullable Heading heading(String line) {
        int end = withoutCarriageReturn(line);
        int start = indent(line, end);
        int after = start;
        while (after < end && line.charAt(after) == '#') {
            after++;
        }
        int level = after - start;
        if (level < 1 || level > 6 || (after < end && !isSpaceOrTab(line.charAt(after)))) {
            return null;
        }
        String title = line.substring(after, titleEnd(line, after, end)).strip();
        return new Heading(level, title.substring(0, Math.min(title.length(), MAX_TITLE_LENGTH)));
    }

    /** Where the title ends: before trailing spaces, tabs and a closing run of {@code #}. */
    private static int titleEnd(String line, int after, int end) {
        int to = trailingSpaces(line, after, end);
        int closing = to;
        while (closing > after && line.charAt(closing - 1) == '#') {
            closing--;
        }
        boolean closingRun = closing < to && (closing == after || isSpaceOrTab(line.charAt(closing - 1)));
        return closingRun ? closing : to;
    }

    private static int trailingSpaces(String line, int from, int end) {
        int to = end;
        while (to > from && isSpaceOrTab(line.charAt(to - 1))) {
            to--;
        }
        return to;
    }

    /** Where the line's content ends: before one trailing {@code \r}. */
    static int withoutCarriageReturn(String line) {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? end - 1 : end;
    }

    /** After up to 3 leading spaces. */
    static int indent(String line, int end) {
        int start = 0;
        while (start < 3 && start < end && line.charAt(start) == ' ') {
            start++;
        }
        return start;
    }

    private static boolean isSpaceOrTab(char c) {
        return c == ' ' || c == '\t';
    }

    private static void enter(Deque<Heading> path, Heading heading) {
        while (!path.isEmpty() && path.peekLast().level() >= heading.level()) {
            path.removeLast();
        }
        path.addLast(heading);
    }

    private static List<String> titles(Deque<Heading> path) {
        return path.stream()
                .map(Heading::title)
                .filter(title -> !title.isEmpty())
                .toList();
    }

    record Heading(int level, String title) {}

    /**
     * Tracks whether a line is inside a fenced code block: opened by up to 3 spaces and a run of at
     * least 3 backticks or tildes, closed by a line holding only a run of the same character at
     * least as long (and whitespace).
     */
    static final class Fences {
        private char openChar;
        private int openLength; // 0: no block open

        /** Whether a fenced block is open after the lines seen so far. */
        boolean inside() {
            return openLength > 0;
        }

        /** Whether the line is a fence or inside a fenced block; updates the state. */
        boolean isCode(String line) {
            int end = withoutCarriageReturn(line);
            int start = indent(line, end);
            char marker = start < end ? line.charAt(start) : 0;
            int run = marker == '`' || marker == '~' ? run(line, start, end) : 0;
            if (openLength == 0) {
                if (run >= 3) {
                    openChar = marker;
                    openLength = run;
                    return true;
                }
                return false;
            }
            if (marker == openChar
                    && run >= openLength
                    && line.substring(start + run).isBlank()) {
                openLength = 0;
            }
            return true;
        }

        private static int run(String line, int start, int end) {
            int to = start;
            while (to < end && line.charAt(to) == line.charAt(start)) {
                to++;
            }
            return to - start;
        }
    }
}
