package dev.agentic.retrieval.knowledge;

import dev.agentic.retrieval.Checkpoint;
import dev.agentic.retrieval.Chunk;
import dev.agentic.retrieval.Document;
import dev.agentic.retrieval.Limits;
import dev.agentic.retrieval.chunk.Chunker;
import dev.agentic.retrieval.embed.Embedder;
import dev.agentic.retrieval.store.EmbeddedChunk;
import dev.agentic.retrieval.store.Match;
import dev.agentic.retrieval.store.VectorStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Ingests documents (split, embed, upsert) and retrieves a tenant's chunks nearest to a question.
 * A chunk is embedded together with its title and section path, which places it in its document;
 * the stored text is the chunk alone. Thread-safe when its parts are; it owns none of them.
 */
public final class KnowledgeBase {
    /** Chunks embedded in one call to the embedder; progress is reported after each such batch. */
    public static final int EMBED_BATCH_SIZE = 16;

    private final Chunker chunker;
    private final Embedder embedder;
    private final VectorStore store;

    private KnowledgeBase(Chunker chunker, Embedder embedder, VectorStore store) {
        this.chunker = chunker;
        this.embedder = embedder;
        this.store = store;
    }

    public static KnowledgeBase create(Chunker chunker, Embedder embedder, VectorStore store) {
        if (embedder.dimension() != store.dimension()) {
            throw new IllegalArgumentException("the embedder makes vectors of " + embedder.dimension()
                    + " dimensions, the store holds " + store.dimension());
        }
        return new KnowledgeBase(chunker, embedder, store);
    }

    /** Replaces the document's chunks with those of this version; returns how many there are. */
    public int ingest(Document document) {
        return ingest(document, IngestProgress.NONE);
    }

    /**
     * Replaces the document's chunks with those of this version, embedding them in batches of
     * {@value #EMBED_BATCH_SIZE} and telling {@code progress} after each batch; returns how many
     * chunks there are. The store is written once, after every chunk is embedded, so a failure or an
     * abort leaves the earlier version in place.
     */
    public int ingest(Document document, IngestProgress progress) {
        return ingest(document, progress, Checkpoint.INTERRUPTS);
    }

    /**
     * As {@link #ingest(Document, IngestProgress)}, asking {@code checkpoint} while chunking (every
     * line, sentence and tile), before each embedding batch and before the store is written: when it
     * throws, the ingestion stops within one step or one batch and the store is untouched.
     *
     * @throws java.util.concurrent.CancellationException when {@code checkpoint} throws it
     */
    public int ingest(Document document, IngestProgress progress, Checkpoint checkpoint) {
        List<Chunk> chunks = chunker.split(document, checkpoint);
        List<EmbeddedChunk> embedded = new ArrayList<>(chunks.size());
        for (int from = 0; from < chunks.size(); from += EMBED_BATCH_SIZE) {
            checkpoint.check();
            List<Chunk> batch = chunks.subList(from, Math.min(chunks.size(), from + EMBED_BATCH_SIZE));
            List<float[]> vectors = embedder.embedAll(
                    batch.stream().map(KnowledgeBase::embeddingInput).toList());
            for (int i = 0; i < batch.size(); i++) {
                embedded.add(new EmbeddedChunk(batch.get(i), vectors.get(i)));
            }
            progress.embedded(embedded.size(), chunks.size());
        }
        checkpoint.check();
        store.upsert(document.tenant(), document.id(), embedded);
        return chunks.size();
    }

    public void delete(String tenant, String documentId) {
        store.delete(tenant, documentId);
    }

    /** The tenant's chunks nearest to the question, best first. */
    public List<Match> search(String tenant, String question, int topK) {
        Limits.requireTenant(tenant);
        return store.search(tenant, embedder.embed(question), topK);
    }

    /** The chunk's text preceded by its title and section path, when it has them. */
    static String embeddingInput(Chunk chunk) {
        List<String> place = new ArrayList<>(2);
        String title = chunk.metadata().get(Chunk.TITLE);
        if (title != null) {
            place.add(title);
        }
        String section = chunk.metadata().get(Chunk.SECTION);
        if (section != null) {
            place.add(section);
        }
        return place.isEmpty() ? chunk.text() : String.join(" > ", place) + "\n\n" + chunk.text();
    }
}
