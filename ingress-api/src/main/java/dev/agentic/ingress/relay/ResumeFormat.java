package dev.agentic.ingress.relay;

import java.util.Map;

/**
 * A wire format a resumed stream may be written in ({@code GET /api/v1/queries/{id}/events?format=
 * <name>}), besides the native one: a client of the OpenAI API resumes in chunks.
 */
public interface ResumeFormat {
    /** The {@code format} query value. */
    String name();

    /** A fresh format for one resumed stream of the request whose status hash is {@code status}. */
    SseFormat open(Map<String, String> status);
}
