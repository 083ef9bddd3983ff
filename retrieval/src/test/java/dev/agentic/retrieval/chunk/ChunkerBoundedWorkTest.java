package dev.agentic.retrieval.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.agentic.retrieval.Chunk;
import dev.agentic.retrieval.Document;
import dev.agentic.retrieval.Limits;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The chunker's work is linear in the document whatever it holds: crafted inputs that made the
 * former regular expressions backtrack, generated hostile documents under a time budget per input
 * (with the invariants every split keeps), and the growth of the time with the input size.
 *
 * <p>The budget is generous: 5 s for an input of up to 4 MB, which splits in 0.05 to 0.5 s on a
 * busy two-core machine. What it catches is quadratic or worse work, which takes minutes to hours
 * on these inputs.
 */
class ChunkerBoundedWorkTest {
    private static final Duration BUDGET = Duration.ofSeconds(5);
    private static final int MB = 1 << 20;
    private static final long[] SEEDS = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233};
    private static final List<ChunkingOptions> OPTIONS = List.of(
            ChunkingOptions.defaults(),
            ChunkingOptions.characters(200, 0),
            ChunkingOptions.words(50, 10),
            ChunkingOptions.words(20_000, 0));

    @Test
    void splitsHeadingLinesOfManySpacesAndACarriageReturnQuickly() {
        String line = "#" + " ".repeat(3_000) + "\r\n";

        List<Chunk> chunks = withinBudget(() -> markdown(ChunkingOptions.defaults(), line.repeat(2) + "text\n"));

        assertThat(chunks).extracting(Chunk::text).containsExactly("text");
    }

    @Test
    void splitsHeadingLinesWithClosingHashesAndTabsQuickly() {
        String line = "### x" + "\t ".repeat(2_000) + "##" + " \t".repeat(2_000) + "\r\n";

        List<Chunk> chunks = withinBudget(() -> markdown(ChunkingOptions.defaults(), line + "text\n"));

        assertThat(chunks).extracting(c -> c.metadata().get(Chunk.SECTION)).containsExactly("x");
    }

    @Test
    void splitsFenceLinesOfManyBackticksAndACarriageReturnQuickly() {
        String text = "`".repeat(200_000) + "\r\n" + "~".repeat(200_000) + "\r\ncode\n";

        List<Chunk> chunks = withinBudget(() -> markdown(ChunkingOptions.defaults(), text));

        assertThat(chunks).isNotEmpty().allSatisfy(c -> assertThat(c.text()).hasSizeLessThanOrEqualTo(800));
    }

    @Test
    void splitsManySectionsUnderAVeryLongHeadingQuickly() {
        String text = "# " + "t".repeat(2_000_000) + "\n" + "## a\nb\n".repeat(Limits.MAX_CHUNKS_PER_DOCUMENT);

        List<Chunk> chunks = withinBudget(() -> markdown(ChunkingOptions.defaults(), text));

        assertThat(chunks).hasSize(Limits.MAX_CHUNKS_PER_DOCUMENT);
        assertThat(chunks.getFirst().metadata().get(Chunk.SECTION))
                .isEqualTo("t".repeat(MarkdownSections.MAX_TITLE_LENGTH) + " > a");
    }

    @Test
    void refusesADocumentOfMoreChunksThanTheLimitBeforeMakingThemAll() {
        String text = "a\n\n".repeat(100_000);

        assertThatThrownBy(() -> withinBudget(() -> plain(ChunkingOptions.characters(1, 0), text)))
                .isInstanceOf(TooManyChunksException.class)
                .hasMessage("document d splits into more than 20000 chunks; send it in parts");
    }

    @Test
    void packsAMegabyteOfShortWordsIntoLargeWordChunksQuickly() {
        String text = "a ".repeat(MB / 2);

        List<Chunk> chunks = withinBudget(() -> plain(ChunkingOptions.words(20_000, 1_000), text));

        assertThat(chunks)
                .hasSize(28)
                .allSatisfy(c -> assertThat(wordsOf(c.text())).isLessThanOrEqualTo(20_000));
    }

    @Test
    void splitsSeededHostileDocumentsWithinBudgetKeepingEveryInvariant() {
        for (long seed : SEEDS) {
            for (int size : new int[] {4 << 10, 64 << 10, MB}) {
                checkOne(seed, size, BUDGET);
            }
        }
    }

    /** Random seeds for three seconds; a failure names its seed, to be added to {@link #SEEDS}. */
    @Test
    void splitsRandomHostileDocumentsWithinBudgetKeepingEveryInvariant() {
        Random seeds = new Random();
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < end) {
            long seed = seeds.nextLong();
            checkOne(seed, 1 + seeds.nextInt(MB), BUDGET);
        }
    }

    /**
     * Doubling the input at most about doubles the time: the median of five runs at 4 MB against
     * five at 2 MB, interleaved, with room up to 4x (and 50 ms) for a busy machine. It fails cubic
     * work (8x; the former expressions' did not even finish within the budget) and most quadratic
     * work, which also blows the budgets above at these sizes.
     */
    @Test
    void timeGrowsLinearlyWithTheDocument() {
        String small = growing(2 * MB);
        String large = growing(4 * MB);
        for (int i = 0; i < 3; i++) {
            nanos(growing(MB / 4)); // warm up the JIT
        }
        long[] smallRuns = new long[5];
        long[] largeRuns = new long[5];
        for (int i = 0; i < smallRuns.length; i++) { // interleaved: a busy spell slows both sizes
            smallRuns[i] = nanos(small);
            largeRuns[i] = nanos(large);
        }

        long smallMedian = median(smallRuns);
        long largeMedian = median(largeRuns);
        System.out.printf(
                "ChunkerBoundedWorkTest: median 2 MB %d ms, 4 MB %d ms%n",
                smallMedian / 1_000_000, largeMedian / 1_000_000);
        assertThat(largeMedian)
                .as("median ns for 2 MB: %d, for 4 MB: %d", smallMedian, largeMedian)
                .isLessThanOrEqualTo(4 * smallMedian + Duration.ofMillis(50).toNanos());
    }

    /** A heading bomb, a fence bomb (opened and closed) a quarter of the size each, then hostile text. */
    private static String growing(int size) {
        String fence = "`".repeat(size / 8);
        return "#" + " ".repeat(size / 4) + "\r\n" + fence + "\r\n" + fence + "\r\n" + HostileText.of(42, size / 2);
    }

    private static long nanos(String markdown) {
        long start = System.nanoTime();
        withinBudget(() -> markdown(ChunkingOptions.defaults(), markdown));
        return System.nanoTime() - start;
    }

    private static long median(long[] runs) {
        long[] sorted = runs.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void checkOne(long seed, int size, Duration budget) {
        String text = HostileText.of(seed, size);
        ChunkingOptions options = OPTIONS.get((int) Math.floorMod(seed, OPTIONS.size()));
        String what = "seed " + seed + ", size " + size + ", " + options;
        List<Chunk> asMarkdown = withinBudget(budget, what, () -> markdown(options, text));
        List<Chunk> asText = withinBudget(budget, what, () -> plain(options, text));
        ChunkInvariants.check(what, options, text, asMarkdown, true);
        ChunkInvariants.check(what, options, text, asText, false);
    }

    static List<Chunk> markdown(ChunkingOptions options, String text) {
        return Chunker.create(options).split(Document.markdown("t", "d", "", text));
    }

    static List<Chunk> plain(ChunkingOptions options, String text) {
        return Chunker.create(options).split(Document.text("t", "d", "", text));
    }

    private static <T> T withinBudget(Supplier<T> work) {
        return withinBudget(BUDGET, "", work);
    }

    private static <T> T withinBudget(Duration budget, String what, Supplier<T> work) {
        return assertTimeoutPreemptively(budget, work::get, () -> "over " + budget + ": " + what);
    }

    static int wordsOf(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? 0 : stripped.split("\\s+").length;
    }
}
