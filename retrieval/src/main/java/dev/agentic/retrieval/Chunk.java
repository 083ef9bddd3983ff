package dev.agentic.retrieval;

import java.util.Map;

/**
 * A piece of a document that is embedded and retrieved on its own.
 *
 * @param documentId the document it comes from
 * @param index its position among the document's chunks, from 0
 * @param text a contiguous excerpt of the document, non-blank, at most {@value
 *     Limits#MAX_CHUNK_LENGTH} characters
 * @param metadata the document's metadata plus {@value #TITLE} and, for Markdown, {@value #SECTION}
 */
public record Chunk(String documentId, int index, String text, Map<String, String> metadata) {
    /** Metadata key of the document's title (absent when the title is empty). */
    public static final String TITLE = "title";

    /** Metadata key of the Markdown heading path, e.g. {@code Guide > Install > Linux}. */
    public static final String SECTION = "section";

    public Chunk {
        Limits.requireDocumentId(documentId);
        if (index < 0) {
            throw new IllegalArgumentException("chunk index must not be negative: " + index);
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("chunk text must not be blank");
        }
        if (text.length() > Limits.MAX_CHUNK_LENGTH) {
            throw new IllegalArgumentException("chunk text is longer than " + Limits.MAX_CHUNK_LENGTH + " characters");
        }
        metadata = Limits.requireMetadata(metadata);
    }
}
