package dev.agentic.retrieval.store;

import java.nio.file.Path;
import java.util.List;

/**
 * A second process for {@link LuceneVectorStoreTest}: opens the store on the directory given,
 * upserts one document under a tenant, and exits 0.
 */
public final class LuceneWriterProcess {
    private LuceneWriterProcess() {}

    public static void main(String[] args) {
        Path directory = Path.of(args[0]);
        String tenant = args[1];
        String documentId = args[2];
        try (VectorStore store = VectorStore.lucene(LuceneStoreSettings.of(directory, 4))) {
            store.upsert(
                    tenant, documentId, List.of(Vectors.chunk(documentId, 0, "written by another JVM", 0, 0, 1, 0)));
        }
        System.out.println("upserted " + documentId);
    }
}
