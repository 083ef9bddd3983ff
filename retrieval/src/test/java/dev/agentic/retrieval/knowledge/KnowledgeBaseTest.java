package dev.agentic.retrieval.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.retrieval.Chunk;
import dev.agentic.retrieval.Document;
import dev.agentic.retrieval.chunk.Chunker;
import dev.agentic.retrieval.chunk.ChunkingOptions;
import dev.agentic.retrieval.embed.Embedder;
import dev.agentic.retrieval.store.LuceneStoreSettings;
import dev.agentic.retrieval.store.Match;
import dev.agentic.retrieval.store.VectorStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real pipeline: Markdown chunking, all-MiniLM-L6-v2 in-process, the Lucene store on disk. */
class KnowledgeBaseTest {
    private static final String HELP_CENTER = """
            # Help center

            ## Accounts
            To reset your password, open Settings, choose Security and click "Forgot password".
            A reset link arrives by email and stays valid for one hour.

            ## Billing
            Invoices are issued on the first day of each month. You can download them as PDF
            from the Billing page, and change the card that is charged there too.

            ## Deployment
            The service ships as a container image. Run it with Docker Compose and scale the
            workers with the --scale flag.
            """;

    private static Embedder embedder;

    @TempDir
    Path directory;

    private VectorStore store;
    private KnowledgeBase knowledge;

    @BeforeAll
    static void loadModelOnce() {
        embedder = Embedder.allMiniLmL6V2();
    }

    @BeforeEach
    void open() {
        store = VectorStore.lucene(LuceneStoreSettings.of(directory, embedder.dimension()));
        knowledge = KnowledgeBase.create(Chunker.create(ChunkingOptions.defaults()), embedder, store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void answersAQuestionWithTheRelevantSectionOfTheTenantsDocument() {
        int chunks = knowledge.ingest(Document.markdown("acme", "help", "Acme help", HELP_CENTER));

        List<Match> matches = knowledge.search("acme", "I forgot my password, how can I change it?", 3);

        assertThat(chunks).isEqualTo(3);
        assertThat(matches).hasSize(3);
        assertThat(matches.getFirst().chunk().metadata()).containsEntry(Chunk.SECTION, "Help center > Accounts");
        assertThat(matches.getFirst().chunk().text()).startsWith("To reset your password");
    }

    @Test
    void neverAnswersFromAnotherTenantsDocuments() {
        knowledge.ingest(Document.markdown("acme", "help", "Acme help", HELP_CENTER));
        knowledge.ingest(Document.text("globex", "passwords", "", "Globex passwords are reset by the IT desk only."));

        List<Match> matches = knowledge.search("globex", "how do I reset my password", 10);

        assertThat(matches)
                .singleElement()
                .satisfies(m -> assertThat(m.chunk().documentId()).isEqualTo("passwords"));
    }

    @Test
    void replacesADocumentWhenItIsIngestedAgain() {
        knowledge.ingest(Document.markdown("acme", "help", "Acme help", HELP_CENTER));

        knowledge.ingest(Document.text("acme", "help", "Acme help", "Only one paragraph remains."));

        assertThat(knowledge.search("acme", "password", 10))
                .extracting(m -> m.chunk().text())
                .containsExactly("Only one paragraph remains.");
    }

    @Test
    void deletesADocument() {
        knowledge.ingest(Document.markdown("acme", "help", "Acme help", HELP_CENTER));

        knowledge.delete("acme", "help");

        assertThat(knowledge.search("acme", "password", 10)).isEmpty();
    }

    @Test
    void reportsProgressAfterEachBatchOfEmbeddedChunks() {
        String longText = IntStream.range(0, 40)
                .mapToObj(i -> "Paragraph " + i + " explains topic number " + i + " at some length.")
                .collect(Collectors.joining("\n\n"));
        List<int[]> reports = new ArrayList<>();

        int chunks = KnowledgeBase.create(Chunker.create(ChunkingOptions.characters(60, 0)), embedder, store)
                .ingest(
                        Document.text("acme", "long", "", longText),
                        (done, total) -> reports.add(new int[] {done, total}));

        assertThat(chunks).isEqualTo(40);
        assertThat(reports).extracting(r -> r[0]).containsExactly(16, 32, 40);
        assertThat(reports).extracting(r -> r[1]).containsOnly(40);
    }

    @Test
    void leavesTheEarlierVersionInPlaceWhenProgressAbortsTheIngestion() {
        knowledge.ingest(Document.markdown("acme", "help", "Acme help", HELP_CENTER));

        assertThatThrownBy(() ->
                        knowledge.ingest(Document.text("acme", "help", "", "Replacement text."), (done, total) -> {
                            throw new IllegalStateException("stop");
                        }))
                .hasMessage("stop");

        assertThat(knowledge.search("acme", "password", 10)).hasSize(3);
    }

    @Test
    void stopsAnIngestionAtItsCheckpointBeforeTheNextBatchAndLeavesTheEarlierVersion() {
        knowledge.ingest(Document.markdown("acme", "help", "Acme help", HELP_CENTER));
        String longText = "A sentence about nothing in particular. ".repeat(2_000);
        AtomicInteger batches = new AtomicInteger();

        assertThatThrownBy(() -> knowledge.ingest(
                        Document.text("acme", "help", "", longText), (done, total) -> batches.incrementAndGet(), () -> {
                            if (batches.get() > 0) {
                                throw new CancellationException("stopped");
                            }
                        }))
                .isInstanceOf(CancellationException.class);

        assertThat(batches).hasValue(1);
        assertThat(knowledge.search("acme", "password", 10)).hasSize(3);
    }

    @Test
    void stopsAnIngestionWhileChunkingWithoutEmbeddingAnything() {
        AtomicInteger checks = new AtomicInteger();
        AtomicInteger batches = new AtomicInteger();

        assertThatThrownBy(() -> knowledge.ingest(
                        Document.text("acme", "long", "", "Words and more words. ".repeat(50_000)),
                        (done, total) -> batches.incrementAndGet(),
                        () -> {
                            if (checks.incrementAndGet() > 100) {
                                throw new CancellationException("stopped");
                            }
                        }))
                .isInstanceOf(CancellationException.class);

        assertThat(checks).hasValue(101);
        assertThat(batches).hasValue(0);
        assertThat(knowledge.search("acme", "words", 10)).isEmpty();
    }

    @Test
    void embedsEachChunkWithItsTitleAndSection() {
        Chunk chunk = new Chunk("help", 0, "Body.", Map.of(Chunk.TITLE, "Guide", Chunk.SECTION, "Install > Linux"));

        assertThat(KnowledgeBase.embeddingInput(chunk)).isEqualTo("Guide > Install > Linux\n\nBody.");
        assertThat(KnowledgeBase.embeddingInput(new Chunk("help", 0, "Body.", Map.of())))
                .isEqualTo("Body.");
    }

    @Test
    void refusesAStoreOfAnotherDimension() {
        try (VectorStore other = VectorStore.lucene(LuceneStoreSettings.of(directory.resolve("other"), 8))) {
            assertThatThrownBy(() -> KnowledgeBase.create(Chunker.create(ChunkingOptions.defaults()), embedder, other))
                    .hasMessageContaining("384")
                    .hasMessageContaining("8");
        }
    }
}
