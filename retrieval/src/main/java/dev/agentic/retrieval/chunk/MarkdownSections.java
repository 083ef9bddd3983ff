package dev.agentic.retrieval.chunk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits Markdown at its ATX headings ({@code #} to {@code ######}), outside fenced code blocks.
 * Setext headings (underlined with {@code ===}) are read as text.
 */
final class MarkdownSections {
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");

    private MarkdownSections() {}

    static List<Section> of(String markdown) {
        List<Section> sections = new ArrayList<>();
        Deque<Heading> path = new ArrayDeque<>();
        StringBuilder body = new StringBuilder();
        Fences fences = new Fences();
        for (String line : markdown.split("\n", -1)) {
            Matcher heading = HEADING.matcher(line);
            if (!fences.isCode(line) && heading.matches()) {
                sections.add(new Section(titles(path), body.toString()));
                body.setLength(0);
                enter(path, new Heading(heading.group(1).length(), titleOf(heading)));
            } else {
                body.append(line).append('\n');
            }
        }
        sections.add(new Section(titles(path), body.toString()));
        return sections.stream().filter(section -> !section.body().isBlank()).toList();
    }

    private static String titleOf(Matcher heading) {
        String title = heading.group(2);
        return title == null ? "" : title.strip();
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

    private record Heading(int level, String title) {}

    /** Tracks whether a line is inside a fenced code block ({@code ```} or {@code ~~~}). */
    static final class Fences {
        private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,}).*$");
        private String open = "";

        /** Whether a fenced block is open after the lines seen so far. */
        boolean inside() {
            return !open.isEmpty();
        }

        /** Whether the line is a fence or inside a fenced block; updates the state. */
        boolean isCode(String line) {
            Matcher fence = FENCE.matcher(line);
            if (open.isEmpty()) {
                if (fence.matches()) {
                    open = fence.group(1);
                    return true;
                }
                return false;
            }
            if (fence.matches() && closes(fence.group(1)) && line.strip().equals(fence.group(1))) {
                open = "";
            }
            return true;
        }

        private boolean closes(String marker) {
            return marker.charAt(0) == open.charAt(0) && marker.length() >= open.length();
        }
    }
}
