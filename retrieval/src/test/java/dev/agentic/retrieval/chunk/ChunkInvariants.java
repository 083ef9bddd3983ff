package dev.agentic.retrieval.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.retrieval.Chunk;
import dev.agentic.retrieval.Limits;
import java.util.List;

/** What every split keeps, checked in time linear in the text. */
final class ChunkInvariants {
    private ChunkInvariants() {}

    static void check(String what, ChunkingOptions options, String text, List<Chunk> chunks, boolean markdown) {
        for (int i = 0; i < chunks.size(); i++) {
            Chunk chunk = chunks.get(i);
            assertThat(chunk.index()).as(what).isEqualTo(i);
            assertThat(chunk.text()).as(what).isNotBlank().hasSizeLessThanOrEqualTo(Limits.MAX_CHUNK_LENGTH);
            assertThat(Measure.words(chunk.text(), 0, chunk.text().length()) <= options.size()
                            || options.unit() == ChunkingOptions.Unit.CHARACTERS)
                    .as(what + ": words in chunk " + i)
                    .isTrue();
            if (options.unit() == ChunkingOptions.Unit.CHARACTERS) {
                assertThat(chunk.text().length()).as(what).isLessThanOrEqualTo(options.size());
            }
        }
        if (options.overlap() == 0) {
            covers(what, text, chunks, markdown);
        }
    }

    /**
     * Without overlap, the chunks hold the text's non-whitespace characters in order: all of them
     * for plain text; for Markdown all but (at most) those of lines that may be headings.
     */
    private static void covers(String what, String text, List<Chunk> chunks, boolean markdown) {
        StringBuilder chunked = new StringBuilder();
        chunks.forEach(chunk -> appendNonWhitespace(chunk.text(), chunked));
        StringBuilder all = new StringBuilder();
        appendNonWhitespace(text, all);
        if (!markdown) {
            assertThat(chunked.toString()).as(what).isEqualTo(all.toString());
            return;
        }
        assertThat(isSubsequence(chunked, all))
                .as(what + ": chunks in document order")
                .isTrue();
        assertThat(all.length() - chunked.length())
                .as(what + ": characters dropped")
                .isLessThanOrEqualTo(headingLikeCharacters(text));
    }

    private static void appendNonWhitespace(String text, StringBuilder to) {
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                to.append(text.charAt(i));
            }
        }
    }

    private static boolean isSubsequence(CharSequence part, CharSequence whole) {
        int at = 0;
        for (int i = 0; i < whole.length() && at < part.length(); i++) {
            if (whole.charAt(i) == part.charAt(at)) {
                at++;
            }
        }
        return at == part.length();
    }

    /** Non-whitespace characters of lines whose first non-space character is {@code #}. */
    private static int headingLikeCharacters(String text) {
        int count = 0;
        for (String line : text.split("\n", -1)) {
            if (line.stripLeading().startsWith("#")) {
                count += (int)
                        line.chars().filter(c -> !Character.isWhitespace(c)).count();
            }
        }
        return count;
    }
}
