package dev.agentic.retrieval.chunk;

import dev.agentic.retrieval.Checkpoint;
import dev.agentic.retrieval.Chunk;
import dev.agentic.retrieval.Document;
import dev.agentic.retrieval.Limits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits documents into chunks of at most {@link ChunkingOptions#size()} characters or words.
 *
 * <p>A chunk is a contiguous excerpt of the document. It never crosses a Markdown heading; within a
 * section it ends at a paragraph boundary when it is at least half full and the next paragraph does
 * not fit, else at a sentence boundary, and only cuts a sentence (between words) that is longer than
 * a chunk. Consecutive chunks of a section share up to {@link ChunkingOptions#overlap()}: whole
 * sentences where they fit, else trailing words. Thread-safe.
 *
 * <p>The work is linear in the length of the document whatever it holds (no regular expressions;
 * {@code ChunkerBoundedWorkTest} fuzzes it with hostile input under a time budget), and it stops at
 * the next line, sentence or tile when its {@link Checkpoint} says so.
 */
public final class Chunker {
    private final ChunkingOptions options;
    private final Tiler tiler;
    private final Packer packer;

    private Chunker(ChunkingOptions options) {
        Measure measure = new Measure(options);
        this.options = options;
        this.tiler = new Tiler(measure);
        this.packer = new Packer(measure, options);
    }

    public static Chunker create(ChunkingOptions options) {
        return new Chunker(options);
    }

    public ChunkingOptions options() {
        return options;
    }

    /**
     * The document's chunks, numbered from 0; none for a blank text.
     *
     * @throws java.util.concurrent.CancellationException when the thread is interrupted meanwhile
     *     (its interrupt flag stays set)
     * @throws TooManyChunksException when the document makes more than {@value
     *     Limits#MAX_CHUNKS_PER_DOCUMENT} chunks
     */
    public List<Chunk> split(Document document) {
        return split(document, Checkpoint.INTERRUPTS);
    }

    /**
     * The document's chunks, numbered from 0; none for a blank text. Asks {@code checkpoint} at
     * every line, paragraph, sentence and tile.
     *
     * @throws java.util.concurrent.CancellationException when {@code checkpoint} throws it
     * @throws TooManyChunksException when the document makes more than {@value
     *     Limits#MAX_CHUNKS_PER_DOCUMENT} chunks
     */
    public List<Chunk> split(Document document, Checkpoint checkpoint) {
        List<Chunk> chunks = new ArrayList<>();
        for (Section section : sections(document, checkpoint)) {
            String body = section.body();
            Map<String, String> metadata = metadata(document, section);
            for (int[] span : packer.pack(body, tiler.tiles(body, checkpoint), checkpoint)) {
                if (chunks.size() == Limits.MAX_CHUNKS_PER_DOCUMENT) {
                    throw new TooManyChunksException(document.id());
                }
                chunks.add(new Chunk(document.id(), chunks.size(), body.substring(span[0], span[1]), metadata));
            }
        }
        return chunks;
    }

    private static List<Section> sections(Document document, Checkpoint checkpoint) {
        return switch (document.contentType()) {
            case MARKDOWN -> MarkdownSections.of(document.text(), checkpoint);
            case TEXT -> List.of(new Section(List.of(), document.text()));
        };
    }

    private static Map<String, String> metadata(Document document, Section section) {
        Map<String, String> metadata = new HashMap<>(document.metadata());
        if (!document.title().isBlank()) {
            metadata.put(Chunk.TITLE, document.title());
        }
        if (!section.headingPath().isEmpty()) {
            metadata.put(Chunk.SECTION, truncated(section.path()));
        }
        return Map.copyOf(metadata);
    }

    private static String truncated(String path) {
        int max = Limits.MAX_METADATA_VALUE_LENGTH;
        return path.length() <= max ? path : path.substring(0, max);
    }
}
