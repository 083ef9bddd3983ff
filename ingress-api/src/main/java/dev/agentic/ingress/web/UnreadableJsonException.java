package dev.agentic.ingress.web;

/**
 * A JSON body a controller parsed itself (with the application's strict mapper) and could not read;
 * answered like an unreadable {@code @RequestBody}: 400 naming the field and what is wrong with it.
 */
public final class UnreadableJsonException extends RuntimeException {
    public UnreadableJsonException(Throwable cause) {
        super("unreadable JSON body", cause);
    }
}
