package dev.agentic.retrieval.store;

import dev.agentic.retrieval.Chunk;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;
import org.jspecify.annotations.Nullable;

/**
 * The embedded store: one Lucene document per chunk with an HNSW vector field, in a directory
 * that the host's processes share (see {@link LuceneWriter} for how they take turns writing).
 *
 * <p>Vectors are normalised and compared by dot product, which is cosine similarity. Upsert is one
 * atomic {@code updateDocuments} keyed by (tenant, document id); search is a {@link
 * KnnFloatVectorQuery} pre-filtered on the tenant term, so HNSW only ever visits that tenant's
 * vectors (Lucene switches to an exact scan when the filter is selective).
 */
final class LuceneVectorStore implements VectorStore {
    static final String KEY = "key";
    static final String TENANT = "tenant";
    static final String DOCUMENT_ID = "document_id";
    static final String CHUNK_INDEX = "chunk_index";
    static final String TEXT = "text";
    static final String VECTOR = "vector";
    static final String METADATA_PREFIX = "meta.";

    private final LuceneStoreSettings settings;
    private final Directory directory;
    private final LuceneWriter writer;
    private final SearcherManager searchers;
    private final AtomicLong lastRefreshNanos = new AtomicLong(System.nanoTime());
    private final AtomicBoolean closed = new AtomicBoolean();

    private LuceneVectorStore(
            LuceneStoreSettings settings, Directory directory, LuceneWriter writer, SearcherManager searchers) {
        this.settings = settings;
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
    }

    static LuceneVectorStore open(LuceneStoreSettings settings) {
        Directory directory = null;
        LuceneWriter writer = null;
        try {
            Files.createDirectories(settings.directory());
            directory = FSDirectory.open(settings.directory());
            writer = new LuceneWriter(directory, settings);
            if (!DirectoryReader.indexExists(directory)) {
                writer.write(w -> {}); // the first commit creates the index
            }
            return new LuceneVectorStore(settings, directory, writer, new SearcherManager(directory, null));
        } catch (IOException | RuntimeException e) {
            closeQuietly(writer, directory);
            if (e instanceof VectorStoreException storeException) {
                throw storeException;
            }
            throw new VectorStoreException("opening the Lucene index at " + settings.directory() + " failed", e);
        }
    }

    @Override
    public int dimension() {
        return settings.dimension();
    }

    @Override
    public void upsert(String tenant, String documentId, List<EmbeddedChunk> chunks) {
        StoreArguments.requireUpsert(tenant, documentId, chunks, settings.dimension());
        List<Document> documents = new ArrayList<>(chunks.size());
        for (EmbeddedChunk chunk : chunks) {
            documents.add(toDocument(tenant, chunk));
        }
        Term key = key(tenant, documentId);
        if (documents.isEmpty()) {
            writer.write(w -> w.deleteDocuments(key)); // updateDocuments with no documents trips a Lucene assertion
        } else {
            writer.write(w -> w.updateDocuments(key, documents));
        }
        refreshNow();
    }

    @Override
    public void delete(String tenant, String documentId) {
        StoreArguments.requireDelete(tenant, documentId);
        writer.write(w -> w.deleteDocuments(key(tenant, documentId)));
        refreshNow();
    }

    @Override
    public List<Match> search(String tenant, float[] query, int topK) {
        StoreArguments.requireSearch(tenant, query, topK, settings.dimension());
        refreshIfStale();
        KnnFloatVectorQuery knn =
                new KnnFloatVectorQuery(VECTOR, normalized(query), topK, new TermQuery(new Term(TENANT, tenant)));
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                return matches(searcher, searcher.search(knn, topK));
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new VectorStoreException("searching the Lucene index at " + settings.directory() + " failed", e);
        }
    }

    private static Term key(String tenant, String documentId) {
        // Limits forbids control characters in both, so NUL cannot be part of either.
        return new Term(KEY, tenant + '\u0000' + documentId);
    }

    private static Document toDocument(String tenant, EmbeddedChunk embedded) {
        Chunk chunk = embedded.chunk();
        Document document = new Document();
        document.add(new StringField(KEY, key(tenant, chunk.documentId()).text(), Field.Store.NO));
        document.add(new StringField(TENANT, tenant, Field.Store.NO));
        document.add(new StoredField(DOCUMENT_ID, chunk.documentId()));
        document.add(new StoredField(CHUNK_INDEX, chunk.index()));
        document.add(new StoredField(TEXT, chunk.text()));
        chunk.metadata().forEach((name, value) -> document.add(new StoredField(METADATA_PREFIX + name, value)));
        document.add(
                new KnnFloatVectorField(VECTOR, normalized(embedded.vector()), VectorSimilarityFunction.DOT_PRODUCT));
        return document;
    }

    private static List<Match> matches(IndexSearcher searcher, TopDocs top) throws IOException {
        StoredFields stored = searcher.storedFields();
        List<Match> matches = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc hit : top.scoreDocs) {
            matches.add(new Match(toChunk(stored.document(hit.doc)), cosine(hit.score)));
        }
        return matches;
    }

    private static Chunk toChunk(Document stored) {
        Map<String, String> metadata = new HashMap<>();
        for (IndexableField field : stored) {
            if (field.name().startsWith(METADATA_PREFIX)) {
                metadata.put(field.name().substring(METADATA_PREFIX.length()), field.stringValue());
            }
        }
        return new Chunk(
                stored.get(DOCUMENT_ID),
                stored.getField(CHUNK_INDEX).numericValue().intValue(),
                stored.get(TEXT),
                metadata);
    }

    /** Lucene scores unit-vector dot products as {@code (1 + cos) / 2}. */
    private static double cosine(float luceneScore) {
        return Math.max(-1.0, Math.min(1.0, 2.0 * luceneScore - 1.0));
    }

    private static float[] normalized(float[] vector) {
        float[] copy = vector.clone();
        if (VectorUtil.isUnitVector(copy)) {
            return copy;
        }
        try {
            return VectorUtil.l2normalize(copy);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a zero vector has no direction to compare", e);
        }
    }

    /** After a write of ours: the next search sees it. */
    private void refreshNow() {
        try {
            searchers.maybeRefreshBlocking();
            lastRefreshNanos.set(System.nanoTime());
        } catch (IOException e) {
            throw new VectorStoreException("reopening the Lucene index at " + settings.directory() + " failed", e);
        }
    }

    /** Picks up other processes' commits at most {@code refreshInterval} late. */
    private void refreshIfStale() {
        if (settings.refreshInterval().isZero()) {
            // Every search sees every commit made before it started: wait for a refresh that another
            // thread may be running rather than search the reader it is replacing.
            refreshNow();
            return;
        }
        long last = lastRefreshNanos.get();
        long now = System.nanoTime();
        if (now - last < settings.refreshInterval().toNanos() || !lastRefreshNanos.compareAndSet(last, now)) {
            return;
        }
        try {
            searchers.maybeRefresh();
        } catch (IOException e) {
            throw new VectorStoreException("reopening the Lucene index at " + settings.directory() + " failed", e);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                searchers.close();
            } catch (IOException e) {
                throw new VectorStoreException("closing the Lucene index at " + settings.directory() + " failed", e);
            } finally {
                closeQuietly(writer, directory);
            }
        }
    }

    private static void closeQuietly(@Nullable LuceneWriter writer, @Nullable Directory directory) {
        try {
            if (writer != null) {
                writer.close();
            }
            if (directory != null) {
                directory.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // closing after a failure, or on shutdown: nothing left to do with it
        }
    }

    @Override
    public String toString() {
        return "LuceneVectorStore[" + settings.directory() + ", " + settings.dimension() + " dimensions]";
    }
}
