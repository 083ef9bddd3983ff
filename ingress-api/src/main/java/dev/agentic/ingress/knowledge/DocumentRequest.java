package dev.agentic.ingress.knowledge;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON body of {@code POST /api/v1/documents}.
 *
 * @param id the document's id within the tenant; posting the same id again replaces the document
 * @param title optional title, shown with its passages
 * @param text the content
 * @param contentType {@code markdown} (default) or {@code text}
 * @param metadata optional string pairs copied to every chunk
 */
record DocumentRequest(
        @Nullable String id,
        @Nullable String title,
        @Nullable String text,
        @JsonProperty("content_type") @Nullable String contentType,
        @Nullable Map<String, String> metadata) {}
