package dev.agentic.retrieval.chunk;

import dev.agentic.retrieval.Limits;

/** A document splits into more than {@value Limits#MAX_CHUNKS_PER_DOCUMENT} chunks; nothing is stored. */
public final class TooManyChunksException extends IllegalArgumentException {
    TooManyChunksException(String documentId) {
        super("document " + documentId + " splits into more than " + Limits.MAX_CHUNKS_PER_DOCUMENT
                + " chunks; send it in parts");
    }
}
