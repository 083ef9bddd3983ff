package dev.agentic.retrieval.bench;

import dev.agentic.retrieval.Chunk;
import dev.agentic.retrieval.Document;
import dev.agentic.retrieval.chunk.Chunker;
import dev.agentic.retrieval.chunk.ChunkingOptions;
import dev.agentic.retrieval.embed.Embedder;
import dev.agentic.retrieval.store.EmbeddedChunk;
import dev.agentic.retrieval.store.LuceneStoreSettings;
import dev.agentic.retrieval.store.Match;
import dev.agentic.retrieval.store.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;
import org.jspecify.annotations.Nullable;

/**
 * Measures the retrieval path with the real in-process embedder and the embedded Lucene store:
 *
 * <ul>
 *   <li>embedding latency of one text (a query sentence, a chunk-sized text), p50 and p99;
 *   <li>ingestion throughput in chunks/s (chunk + embed + upsert, one upsert per document), with the
 *       embedding and upsert shares;
 *   <li>search latency at {@code --chunks} chunks (default 10,000), p50 and p99, against an exact
 *       brute-force cosine scan over the same vectors in memory as the baseline (Lucene's SIMD dot
 *       product, so both sides use the same kernel), and HNSW's recall of the exact top {@code
 *       --top-k}.
 * </ul>
 *
 * Options: {@code --chunks N}, {@code --queries N} (default 200), {@code --samples N} (embedding
 * latency samples, default 200), {@code --top-k K} (default 5), {@code --dir PATH} (index
 * directory; default a temporary one, deleted afterwards). The command is in docs/retrieval.md.
 */
public final class RetrievalBenchmark {
    private static final String TENANT = "bench";

    private final int targetChunks;
    private final int queries;
    private final int samples;
    private final int topK;
    private final Path directory;
    private final boolean temporary;
    private final SyntheticText text = new SyntheticText(42);

    private RetrievalBenchmark(String[] args) throws IOException {
        this.targetChunks = intOption(args, "--chunks", 10_000);
        this.queries = intOption(args, "--queries", 200);
        this.samples = intOption(args, "--samples", 200);
        this.topK = intOption(args, "--top-k", 5);
        String dir = option(args, "--dir");
        this.temporary = dir == null;
        this.directory = dir == null ? Files.createTempDirectory("retrieval-bench") : Path.of(dir);
    }

    public static void main(String[] args) throws IOException {
        new RetrievalBenchmark(args).run();
    }

    private void run() throws IOException {
        System.out.printf(
                Locale.ROOT,
                "retrieval benchmark: %d chunks, %d queries, top %d, %d cores, Java %s, index %s%n",
                targetChunks,
                queries,
                topK,
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                directory);
        long loadStart = System.nanoTime();
        Embedder embedder = Embedder.allMiniLmL6V2();
        embedder.embed("warm up");
        System.out.printf(
                Locale.ROOT,
                "model load + first embedding             %10.0f ms%n",
                millis(System.nanoTime() - loadStart));

        measureEmbedding(embedder);
        // As the workers run it: every search first checks for other processes' commits.
        try (VectorStore store = VectorStore.lucene(
                LuceneStoreSettings.of(directory, embedder.dimension()).withRefreshInterval(Duration.ZERO))) {
            Corpus corpus = ingest(embedder, store);
            System.out.printf(Locale.ROOT, "index segments after ingestion            %10d%n", segments());
            measureSearch(embedder, store, corpus);
        } finally {
            if (temporary) {
                deleteRecursively(directory);
            }
        }
    }

    private void measureEmbedding(Embedder embedder) {
        List<String> sentences = new ArrayList<>();
        List<String> chunkSized = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            sentences.add(text.query());
            chunkSized.add(text.paragraph(text.topic(), 4));
        }
        warmUp(embedder, sentences);
        long[] sentenceNanos = time(sentences, embedder::embed);
        long[] chunkNanos = time(chunkSized, embedder::embed);
        double chunkChars =
                chunkSized.stream().mapToInt(String::length).average().orElse(0);
        report("embed one query sentence (~12 words)", sentenceNanos);
        report(String.format(Locale.ROOT, "embed one chunk-sized text (~%.0f chars)", chunkChars), chunkNanos);
    }

    private record Corpus(List<String> keys, float[][] vectors) {}

    private Corpus ingest(Embedder embedder, VectorStore store) {
        Chunker chunker = Chunker.create(ChunkingOptions.characters(400, 50));
        List<String> keys = new ArrayList<>(targetChunks);
        float[][] vectors = new float[targetChunks][];
        long chunkNanos = 0;
        long embedNanos = 0;
        long upsertNanos = 0;
        int documents = 0;
        long started = System.nanoTime();
        while (keys.size() < targetChunks) {
            String id = "doc-" + documents++;
            long t0 = System.nanoTime();
            List<Chunk> chunks =
                    chunker.split(Document.markdown(TENANT, id, "Handbook " + id, text.markdown("Handbook " + id)));
            chunks = chunks.subList(0, Math.min(chunks.size(), targetChunks - keys.size()));
            long t1 = System.nanoTime();
            List<float[]> embedded =
                    embedder.embedAll(chunks.stream().map(Chunk::text).toList());
            long t2 = System.nanoTime();
            List<EmbeddedChunk> batch = new ArrayList<>(chunks.size());
            for (int i = 0; i < chunks.size(); i++) {
                batch.add(new EmbeddedChunk(chunks.get(i), embedded.get(i)));
                vectors[keys.size()] = embedded.get(i);
                keys.add(key(chunks.get(i)));
            }
            store.upsert(TENANT, id, batch);
            long t3 = System.nanoTime();
            chunkNanos += t1 - t0;
            embedNanos += t2 - t1;
            upsertNanos += t3 - t2;
        }
        long total = System.nanoTime() - started;
        System.out.printf(
                Locale.ROOT,
                "ingest %d chunks of %d documents          %10.1f chunks/s  (%.1f s: chunk %.1f s, embed %.1f s, upsert %.1f s)%n",
                keys.size(),
                documents,
                keys.size() / seconds(total),
                seconds(total),
                seconds(chunkNanos),
                seconds(embedNanos),
                seconds(upsertNanos));
        System.out.printf(
                Locale.ROOT,
                "  embedding alone (batches of one document) %10.1f chunks/s%n",
                keys.size() / seconds(embedNanos));
        System.out.printf(
                Locale.ROOT,
                "  upsert alone (one commit per document)     %10.1f chunks/s, %.1f ms per document%n",
                keys.size() / seconds(upsertNanos),
                millis(upsertNanos) / documents);
        return new Corpus(keys, vectors);
    }

    private void measureSearch(Embedder embedder, VectorStore store, Corpus corpus) {
        List<float[]> queryVectors = new ArrayList<>();
        for (int i = 0; i < queries; i++) {
            queryVectors.add(embedder.embed(text.query()));
        }
        for (int i = 0; i < Math.min(50, queries); i++) {
            store.search(TENANT, queryVectors.get(i), topK);
            exactTopK(corpus, queryVectors.get(i));
        }
        long[] hnswNanos = new long[queries];
        long[] exactNanos = new long[queries];
        double recall = 0;
        for (int q = 0; q < queries; q++) {
            float[] query = queryVectors.get(q);
            long t0 = System.nanoTime();
            List<Match> found = store.search(TENANT, query, topK);
            long t1 = System.nanoTime();
            Set<String> exact = exactTopK(corpus, query);
            long t2 = System.nanoTime();
            hnswNanos[q] = t1 - t0;
            exactNanos[q] = t2 - t1;
            recall += found.stream()
                            .map(m -> key(m.chunk()))
                            .filter(exact::contains)
                            .count()
                    / (double) topK;
        }
        report(String.format(Locale.ROOT, "search top %d, Lucene HNSW + tenant filter", topK), hnswNanos);
        report(
                String.format(Locale.ROOT, "baseline: exact scan of %d vectors in RAM", corpus.vectors().length),
                exactNanos);
        System.out.printf(Locale.ROOT, "recall@%d of HNSW against the exact scan   %10.3f%n", topK, recall / queries);
    }

    private Set<String> exactTopK(Corpus corpus, float[] query) {
        float[][] vectors = corpus.vectors();
        int[] best = new int[topK];
        float[] bestScores = new float[topK];
        Arrays.fill(bestScores, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < vectors.length; i++) {
            float score = VectorUtil.dotProduct(vectors[i], query);
            if (score > bestScores[topK - 1]) {
                int slot = topK - 1;
                while (slot > 0 && bestScores[slot - 1] < score) {
                    bestScores[slot] = bestScores[slot - 1];
                    best[slot] = best[slot - 1];
                    slot--;
                }
                bestScores[slot] = score;
                best[slot] = i;
            }
        }
        Set<String> keys = new HashSet<>();
        for (int i : best) {
            keys.add(corpus.keys().get(i));
        }
        return keys;
    }

    private int segments() throws IOException {
        try (FSDirectory dir = FSDirectory.open(directory);
                DirectoryReader reader = DirectoryReader.open(dir)) {
            return reader.leaves().size();
        }
    }

    private static void warmUp(Embedder embedder, List<String> texts) {
        texts.stream().limit(20).forEach(embedder::embed);
    }

    private interface Call {
        void run(String text);
    }

    private static long[] time(List<String> texts, Call call) {
        long[] nanos = new long[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            long start = System.nanoTime();
            call.run(texts.get(i));
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(
                Locale.ROOT,
                "%-42s p50 %8.2f ms   p99 %8.2f ms   (n=%d)%n",
                what,
                millis(percentile(sorted, 0.50)),
                millis(percentile(sorted, 0.99)),
                sorted.length);
    }

    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    private static String key(Chunk chunk) {
        return chunk.documentId() + "#" + chunk.index();
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static int intOption(String[] args, String name, int fallback) {
        String value = option(args, name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    private static @Nullable String option(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
