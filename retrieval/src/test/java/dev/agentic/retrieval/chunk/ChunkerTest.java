package dev.agentic.retrieval.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.retrieval.Chunk;
import dev.agentic.retrieval.ContentType;
import dev.agentic.retrieval.Document;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    private static final String PARAGRAPH_A =
            "Redis streams hold the queue. Workers read with consumer groups. Each job is acknowledged once.";
    private static final String PARAGRAPH_B =
            "The ingress relays events as SSE. A client may resume with Last-Event-ID. Nothing is lost.";
    private static final String PARAGRAPH_C =
            "Qdrant stores vectors for scale. Lucene is the single-host default. Both filter by tenant.";

    @Test
    void keepsParagraphsWholeWhenTheyFit() {
        String text = String.join("\n\n", PARAGRAPH_A, PARAGRAPH_B, PARAGRAPH_C);
        int size = PARAGRAPH_A.length() + 2 + PARAGRAPH_B.length() + 10;

        List<Chunk> chunks = Chunker.create(ChunkingOptions.characters(size, 0)).split(doc(text));

        assertThat(chunks).extracting(Chunk::text).containsExactly(PARAGRAPH_A + "\n\n" + PARAGRAPH_B, PARAGRAPH_C);
    }

    @Test
    void closesAHalfFullChunkBeforeAParagraphThatDoesNotFit() {
        String text = String.join("\n\n", PARAGRAPH_A, PARAGRAPH_B);
        int size = PARAGRAPH_A.length() + 30; // B would fit only partly after A

        List<Chunk> chunks = Chunker.create(ChunkingOptions.characters(size, 0)).split(doc(text));

        assertThat(chunks).extracting(Chunk::text).containsExactly(PARAGRAPH_A, PARAGRAPH_B);
    }

    @Test
    void endsChunksAtSentenceBoundariesInsideALongParagraph() {
        String paragraph = IntStream.range(0, 30)
                .mapToObj(i -> "Sentence number " + i + " talks about retrieval.")
                .collect(Collectors.joining(" "));

        List<Chunk> chunks = Chunker.create(ChunkingOptions.characters(200, 0)).split(doc(paragraph));

        assertThat(chunks).hasSizeGreaterThan(3);
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.text())
                    .hasSizeLessThanOrEqualTo(200)
                    .startsWith("Sentence")
                    .endsWith(".");
        });
        assertThat(chunks.stream().map(Chunk::text).collect(Collectors.joining(" ")))
                .isEqualTo(paragraph);
    }

    @Test
    void neverExceedsTheSizeInCharactersEvenWithOverlap() {
        String text = IntStream.range(0, 200)
                .mapToObj(i -> "Word" + i + (i % 7 == 6 ? ". " : " ") + (i % 23 == 22 ? "\n\n" : ""))
                .collect(Collectors.joining());

        List<Chunk> chunks = Chunker.create(ChunkingOptions.characters(120, 40)).split(doc(text));

        assertThat(chunks)
                .isNotEmpty()
                .allSatisfy(chunk -> assertThat(chunk.text()).hasSizeLessThanOrEqualTo(120));
    }

    @Test
    void countsSizeAndOverlapInWordsWhenAskedTo() {
        String text = IntStream.range(0, 100)
                .mapToObj(i -> (i % 5 == 0 ? "W" : "w") + i + (i % 5 == 4 ? "." : ""))
                .collect(Collectors.joining(" "));

        List<Chunk> chunks = Chunker.create(ChunkingOptions.words(20, 5)).split(doc(text));

        assertThat(chunks).allSatisfy(chunk -> assertThat(words(chunk)).isLessThanOrEqualTo(20));
        for (int i = 1; i < chunks.size(); i++) {
            String overlap = sharedText(chunks.get(i - 1).text(), chunks.get(i).text());
            assertThat(overlap.split(" ")).hasSize(5); // one whole sentence
            assertThat(overlap).startsWith("W").endsWith(".");
        }
    }

    @Test
    void overlapsConsecutiveChunksWithWholeSentences() {
        String text = IntStream.range(0, 12)
                .mapToObj(i -> "This is sentence " + i + ".")
                .collect(Collectors.joining(" "));

        List<Chunk> chunks = Chunker.create(ChunkingOptions.characters(80, 40)).split(doc(text));

        assertThat(chunks).hasSizeGreaterThan(2);
        for (int i = 1; i < chunks.size(); i++) {
            String overlap = sharedText(chunks.get(i - 1).text(), chunks.get(i).text());
            assertThat(overlap).startsWith("This is").endsWith(".").hasSizeBetween(19, 40);
        }
    }

    @Test
    void overlapsWithTrailingWordsWhenNoWholeSentenceFits() {
        String sentence = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi";

        List<Chunk> chunks = Chunker.create(ChunkingOptions.words(6, 2)).split(doc(sentence));

        assertThat(chunks)
                .extracting(Chunk::text)
                .startsWith("alpha beta gamma delta epsilon zeta", "epsilon zeta eta theta iota kappa");
    }

    @Test
    void cutsAWordLongerThanAChunkIntoSlices() {
        String word = "x".repeat(250);

        List<Chunk> chunks = Chunker.create(ChunkingOptions.characters(100, 0)).split(doc("Intro. " + word));

        assertThat(chunks).extracting(chunk -> chunk.text().length()).containsExactly(6, 100, 100, 50);
    }

    @Test
    void neverCutsASurrogatePairWhenSlicingALongWord() {
        String word = "\uD83D\uDE00".repeat(10); // 20 UTF-16 characters

        List<Chunk> chunks = Chunker.create(ChunkingOptions.characters(5, 0)).split(doc(word));

        assertThat(chunks)
                .extracting(Chunk::text)
                .containsOnly("\uD83D\uDE00".repeat(2))
                .hasSize(5);
    }

    @Test
    void keepsTheMarkdownHeadingPathAsMetadata() {
        String markdown = """
                Preamble before any heading.

                # Guide
                Welcome to the guide.

                ## Install
                Run the installer.

                ### Linux ###
                Use the package manager.

                ## Configure
                Edit the file.
                """;

        List<Chunk> chunks = Chunker.create(ChunkingOptions.defaults()).split(markdown(markdown));

        assertThat(chunks)
                .extracting(Chunk::text)
                .containsExactly(
                        "Preamble before any heading.",
                        "Welcome to the guide.",
                        "Run the installer.",
                        "Use the package manager.",
                        "Edit the file.");
        assertThat(chunks)
                .extracting(chunk -> chunk.metadata().get(Chunk.SECTION))
                .containsExactly(null, "Guide", "Guide > Install", "Guide > Install > Linux", "Guide > Configure");
    }

    @Test
    void ignoresHeadingsInsideFencedCode() {
        String markdown = """
                # Scripts
                Example:

                ```bash
                # not a heading
                echo hi
                ```
                """;

        List<Chunk> chunks = Chunker.create(ChunkingOptions.defaults()).split(markdown(markdown));

        assertThat(chunks).singleElement().satisfies(chunk -> {
            assertThat(chunk.text()).contains("# not a heading").endsWith("```");
            assertThat(chunk.metadata()).containsEntry(Chunk.SECTION, "Scripts");
        });
    }

    @Test
    void readsPlainTextHashLinesAsText() {
        List<Chunk> chunks =
                Chunker.create(ChunkingOptions.defaults()).split(doc("# not a heading in plain text\nmore text"));

        assertThat(chunks).singleElement().satisfies(chunk -> {
            assertThat(chunk.text()).startsWith("# not a heading");
            assertThat(chunk.metadata()).doesNotContainKey(Chunk.SECTION);
        });
    }

    @Test
    void numbersChunksAcrossSectionsAndCarriesDocumentMetadata() {
        Document document = new Document(
                "guide",
                "acme",
                "The Guide",
                "# A\none.\n# B\ntwo.\n# C\nthree.",
                ContentType.MARKDOWN,
                Map.of("source", "wiki"));

        List<Chunk> chunks = Chunker.create(ChunkingOptions.defaults()).split(document);

        assertThat(chunks).extracting(Chunk::index).containsExactly(0, 1, 2);
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.documentId()).isEqualTo("guide");
            assertThat(chunk.metadata()).containsEntry("source", "wiki").containsEntry(Chunk.TITLE, "The Guide");
        });
    }

    @Test
    void givesNoChunksForABlankDocument() {
        assertThat(Chunker.create(ChunkingOptions.defaults()).split(doc("  \n\n ")))
                .isEmpty();
    }

    @Test
    void refusesAnOverlapThatIsNotSmallerThanTheSize() {
        assertThatThrownBy(() -> ChunkingOptions.characters(100, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overlap");
        assertThatThrownBy(() -> ChunkingOptions.words(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The longest start of {@code next} that ends {@code previous}. */
    private static String sharedText(String previous, String next) {
        for (int length = Math.min(previous.length(), next.length()); length > 0; length--) {
            if (previous.endsWith(next.substring(0, length))) {
                return next.substring(0, length);
            }
        }
        return "";
    }

    private static int words(Chunk chunk) {
        return chunk.text().split("\\s+").length;
    }

    private static Document doc(String text) {
        return Document.text("acme", "doc-1", "", text);
    }

    private static Document markdown(String text) {
        return Document.markdown("acme", "doc-1", "", text);
    }
}
