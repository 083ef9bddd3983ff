package dev.agentic.retrieval;

import java.util.Map;

/**
 * A text a tenant ingests. The same id in two tenants names two different documents.
 *
 * @param id the document's id within its tenant; ingesting the same id again replaces it
 * @param tenant who owns the document; nobody else ever retrieves it
 * @param title shown with its chunks and embedded with them; may be empty
 * @param text the content, at most {@value Limits#MAX_DOCUMENT_LENGTH} characters; may be blank
 *     (no chunks)
 * @param contentType how {@code text} is written
 * @param metadata copied to every chunk
 */
public record Document(
        String id, String tenant, String title, String text, ContentType contentType, Map<String, String> metadata) {
    public Document {
        Limits.requireDocumentId(id);
        Limits.requireTenant(tenant);
        if (title.length() > Limits.MAX_METADATA_VALUE_LENGTH) {
            throw new IllegalArgumentException(
                    "title is longer than " + Limits.MAX_METADATA_VALUE_LENGTH + " characters");
        }
        if (text.length() > Limits.MAX_DOCUMENT_LENGTH) {
            throw new IllegalArgumentException("document " + id + " is longer than " + Limits.MAX_DOCUMENT_LENGTH
                    + " characters (" + text.length() + ")");
        }
        metadata = Limits.requireMetadata(metadata, Limits.MAX_DOCUMENT_METADATA_ENTRIES);
    }

    /** A Markdown document without metadata. */
    public static Document markdown(String tenant, String id, String title, String text) {
        return new Document(id, tenant, title, text, ContentType.MARKDOWN, Map.of());
    }

    /** A plain-text document without metadata. */
    public static Document text(String tenant, String id, String title, String text) {
        return new Document(id, tenant, title, text, ContentType.TEXT, Map.of());
    }

    @Override
    public String toString() {
        return "Document[id=" + id + ", tenant=" + tenant + ", title=" + title + ", contentType=" + contentType
                + ", length=" + text.length() + ", metadata=" + metadata + "]";
    }
}
