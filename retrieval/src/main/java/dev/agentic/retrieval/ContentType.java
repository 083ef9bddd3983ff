package dev.agentic.retrieval;

import java.util.Locale;

/** How a document's text is written, which decides how it is split. */
public enum ContentType {
    /** Plain text: paragraphs separated by blank lines. */
    TEXT("text/plain"),
    /** Markdown: ATX headings ({@code #} to {@code ######}) give each chunk its section path. */
    MARKDOWN("text/markdown");

    private final String mediaType;

    ContentType(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /**
     * The content type of a media type such as {@code text/markdown; charset=utf-8} (one scan, no
     * regular expression).
     */
    public static ContentType fromMediaType(String mediaType) {
        int parameters = mediaType.indexOf(';');
        String type = parameters < 0 ? mediaType : mediaType.substring(0, parameters);
        String bare = type.strip().toLowerCase(Locale.ROOT);
        return switch (bare) {
            case "text/markdown", "text/x-markdown" -> MARKDOWN;
            case "text/plain" -> TEXT;
            default -> throw new IllegalArgumentException("unsupported content type: " + mediaType);
        };
    }
}
