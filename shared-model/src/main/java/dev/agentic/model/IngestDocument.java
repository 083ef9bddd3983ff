package dev.agentic.model;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A document to ingest into a tenant's knowledge base, carried as the {@link Job#query()} of a job
 * for the {@value #AGENT} agent on the batch lane (encoded by {@link WireCodec#encodeIngest}).
 *
 * @param documentId the document's id within the tenant; ingesting it again replaces its chunks
 * @param title shown with its chunks; may be empty
 * @param text the content; the ingress refuses blank or oversize texts before queuing
 * @param contentType {@code text} or {@code markdown}
 * @param metadata copied to every chunk
 */
public record IngestDocument(
        String documentId, String title, String text, String contentType, Map<String, String> metadata) {
    /** The agent name of ingestion jobs; clients cannot ask for it on {@code /api/v1/query}. */
    public static final String AGENT = "ingest";

    public static final String TEXT = "text";
    public static final String MARKDOWN = "markdown";

    public IngestDocument {
        requireNonNull(documentId, "documentId");
        title = title == null ? "" : title;
        requireNonNull(text, "text");
        if (!TEXT.equals(contentType) && !MARKDOWN.equals(contentType)) {
            throw new IllegalArgumentException("content type must be 'text' or 'markdown'");
        }
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
