package dev.agentic.retrieval.knowledge;

/**
 * Hears how far one ingestion has come. Called on the ingesting thread after each batch of chunks
 * is embedded, before anything is stored; an exception it throws aborts the ingestion with the
 * store untouched (how a caller stops a long ingestion it no longer wants).
 */
@FunctionalInterface
public interface IngestProgress {
    /** Listens to nothing. */
    IngestProgress NONE = (done, total) -> {};

    /**
     * @param done chunks embedded so far
     * @param total chunks the document has
     */
    void embedded(int done, int total);
}
