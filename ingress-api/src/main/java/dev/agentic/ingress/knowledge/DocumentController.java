package dev.agentic.ingress.knowledge;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.query.Intake;
import dev.agentic.ingress.security.Caller;
import dev.agentic.ingress.security.RequiresRole;
import dev.agentic.ingress.security.Role;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.ingress.web.UnreadableJsonException;
import dev.agentic.model.IngestDocument;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/documents}: checks a document and queues its ingestion as a job of the
 * {@code ingest} agent on the batch lane. The answer is {@code 202} with the request's links, or,
 * with {@code Accept: text/event-stream}, the job's events (progress included) as they happen.
 *
 * <p>Bodies: JSON ({@link DocumentRequest}), or the raw text as {@code text/markdown} or {@code
 * text/plain} with {@code ?id=} (and optional {@code title=}) in the query string.
 */
@RestController
@RequiresRole(Role.INGEST)
class DocumentController {
    static final List<String> SUPPORTED_TYPES =
            List.of(MediaType.APPLICATION_JSON_VALUE, "text/markdown", MediaType.TEXT_PLAIN_VALUE);
    private static final int MAX_ID_LENGTH = 256;
    private static final int MAX_TITLE_LENGTH = 4_096;
    private static final int MAX_METADATA_ENTRIES = 62;
    private static final int MAX_METADATA_KEY_LENGTH = 128;
    private static final int MAX_METADATA_VALUE_LENGTH = 4_096;

    private final Intake intake;
    private final JsonMapper json;
    private final IngressProperties.Ingress config;

    DocumentController(Intake intake, JsonMapper json, IngressProperties properties) {
        this.intake = intake;
        this.json = json;
        this.config = properties.ingress();
    }

    @PostMapping("/api/v1/documents")
    @Nullable
    ResponseEntity<Intake.DocumentAccepted> ingest(
            @RequestBody(required = false) byte @Nullable [] body,
            Caller caller,
            @RequestHeader(value = HttpHeaders.CONTENT_TYPE, required = false) @Nullable String contentType,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept,
            @RequestParam(value = "id", required = false) @Nullable String id,
            @RequestParam(value = "title", required = false) @Nullable String title,
            HttpServletRequest httpRequest,
            HttpServletResponse response) {
        Intake.DocumentAccepted accepted = intake.document(
                () -> document(body == null ? new byte[0] : body, contentType, id, title),
                caller,
                accept,
                httpRequest,
                response);
        if (accepted == null) {
            return null; // its events streamed as SSE
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .header(HttpHeaders.LOCATION, accepted.statusUrl())
                .header("X-Request-Id", accepted.id())
                .body(accepted);
    }

    private IngestDocument document(
            byte[] body, @Nullable String contentType, @Nullable String id, @Nullable String title) {
        String type = contentType == null
                ? ""
                : contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].strip();
        String text = new String(body, StandardCharsets.UTF_8);
        return switch (type) {
            case MediaType.APPLICATION_JSON_VALUE -> fromJson(body);
            case "text/markdown", MediaType.TEXT_PLAIN_VALUE ->
                checked(
                        id,
                        title,
                        text,
                        type.equals("text/markdown") ? IngestDocument.MARKDOWN : IngestDocument.TEXT,
                        Map.of());
            default ->
                throw new ApiException(
                        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                        "unsupported_content_type",
                        "Documents are sent as " + String.join(", ", SUPPORTED_TYPES) + "; got '"
                                + ApiException.printable(type.isEmpty() ? "(none)" : type) + "'",
                        Map.of("supported", SUPPORTED_TYPES));
        };
    }

    private IngestDocument fromJson(byte[] body) {
        DocumentRequest request;
        try {
            request = json.readValue(body, DocumentRequest.class);
        } catch (JacksonException e) {
            throw new UnreadableJsonException(e);
        }
        if (request == null) {
            throw emptyDocument();
        }
        String contentType = request.contentType() == null
                ? IngestDocument.MARKDOWN
                : request.contentType().strip().toLowerCase(Locale.ROOT);
        if (!contentType.equals(IngestDocument.MARKDOWN) && !contentType.equals(IngestDocument.TEXT)) {
            throw new ApiException(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_content_type",
                    "content_type must be 'markdown' or 'text'",
                    Map.of("supported", List.of(IngestDocument.MARKDOWN, IngestDocument.TEXT)));
        }
        return checked(
                request.id(),
                request.title(),
                request.text() == null ? "" : request.text(),
                contentType,
                request.metadata() == null ? Map.of() : request.metadata());
    }

    private IngestDocument checked(
            @Nullable String id,
            @Nullable String title,
            String text,
            String contentType,
            Map<String, String> metadata) {
        if (id == null || id.isBlank()) {
            throw invalid("invalid_document_id", "The document needs an id (JSON field 'id', or ?id= for raw text)");
        }
        requireName("invalid_document_id", "id", id, MAX_ID_LENGTH);
        String cleanTitle = title == null ? "" : title.strip();
        if (cleanTitle.length() > MAX_TITLE_LENGTH || cleanTitle.chars().anyMatch(Character::isISOControl)) {
            throw invalid(
                    "invalid_document",
                    "title must be at most " + MAX_TITLE_LENGTH + " characters without control characters");
        }
        if (text.isBlank()) {
            throw emptyDocument();
        }
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.maxDocumentSize().toBytes()) {
            throw new ApiException(
                    HttpStatus.CONTENT_TOO_LARGE,
                    "document_too_large",
                    "The document has " + bytes + " bytes; the limit is "
                            + config.maxDocumentSize().toBytes());
        }
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            throw invalid("invalid_document", "at most " + MAX_METADATA_ENTRIES + " metadata entries");
        }
        metadata.forEach((key, value) -> {
            requireName("invalid_document", "metadata key", key, MAX_METADATA_KEY_LENGTH);
            if (value == null || value.length() > MAX_METADATA_VALUE_LENGTH) {
                throw invalid(
                        "invalid_document",
                        "metadata values are strings of at most " + MAX_METADATA_VALUE_LENGTH + " characters");
            }
        });
        return new IngestDocument(id, cleanTitle, text, contentType, metadata);
    }

    private static void requireName(String code, String what, String value, int maxLength) {
        if (value.isBlank() || value.length() > maxLength || value.chars().anyMatch(Character::isISOControl)) {
            throw invalid(code, what + " must be 1 to " + maxLength + " characters without control characters");
        }
    }

    private static ApiException emptyDocument() {
        return invalid("empty_document", "The document has no text");
    }

    private static ApiException invalid(String code, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, code, detail);
    }
}
