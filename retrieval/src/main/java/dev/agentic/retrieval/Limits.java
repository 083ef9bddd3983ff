package dev.agentic.retrieval;

import java.util.Map;

/** The size limits of ids, tenants, texts and metadata, and the checks that enforce them. */
public final class Limits {
    /** Longest document id, in characters. */
    public static final int MAX_ID_LENGTH = 256;
    /** Longest tenant name, in characters. */
    public static final int MAX_TENANT_LENGTH = 128;
    /** Longest document text, in characters (about 5 MB of ASCII). */
    public static final int MAX_DOCUMENT_LENGTH = 5_000_000;
    /** Longest chunk text, in characters. */
    public static final int MAX_CHUNK_LENGTH = 100_000;
    /**
     * Most chunks one document may split into (a 5 MB document of 250-character chunks): a text of
     * many tiny sections or paragraphs cannot make the worker hold, embed and store a chunk, its
     * metadata and its vector for every few characters.
     */
    public static final int MAX_CHUNKS_PER_DOCUMENT = 20_000;
    /** Most metadata entries on a chunk. */
    public static final int MAX_METADATA_ENTRIES = 64;
    /** Most metadata entries on a document: its chunks add {@code title} and {@code section}. */
    public static final int MAX_DOCUMENT_METADATA_ENTRIES = MAX_METADATA_ENTRIES - 2;
    /** Longest metadata key, in characters. */
    public static final int MAX_METADATA_KEY_LENGTH = 128;
    /** Longest metadata value, in characters. */
    public static final int MAX_METADATA_VALUE_LENGTH = 4_096;

    private Limits() {}

    /** The tenant, if it is a non-blank name of at most {@value #MAX_TENANT_LENGTH} printable characters. */
    public static String requireTenant(String tenant) {
        return requireName("tenant", tenant, MAX_TENANT_LENGTH);
    }

    /** The id, if it is a non-blank name of at most {@value #MAX_ID_LENGTH} printable characters. */
    public static String requireDocumentId(String documentId) {
        return requireName("document id", documentId, MAX_ID_LENGTH);
    }

    /** An immutable copy of a chunk's metadata, if it is within the limits above. */
    public static Map<String, String> requireMetadata(Map<String, String> metadata) {
        return requireMetadata(metadata, MAX_METADATA_ENTRIES);
    }

    static Map<String, String> requireMetadata(Map<String, String> metadata, int maxEntries) {
        if (metadata.size() > maxEntries) {
            throw new IllegalArgumentException("at most " + maxEntries + " metadata entries, got " + metadata.size());
        }
        metadata.forEach((key, value) -> {
            requireName("metadata key", key, MAX_METADATA_KEY_LENGTH);
            if (value.length() > MAX_METADATA_VALUE_LENGTH) {
                throw new IllegalArgumentException(
                        "metadata value of '" + key + "' is longer than " + MAX_METADATA_VALUE_LENGTH + " characters");
            }
        });
        return Map.copyOf(metadata);
    }

    private static String requireName(String what, String value, int maxLength) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(what + " is longer than " + maxLength + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " must not contain control characters");
        }
        return value;
    }
}
