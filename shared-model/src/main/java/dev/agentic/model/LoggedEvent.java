package dev.agentic.model;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * An event as it sits in a request's log, or as the live pub/sub message announces it.
 *
 * @param id the log entry id (the SSE {@code id:})
 * @param previous the id of the entry before it ({@link EventId#ZERO} for the first); a relay that
 *     last delivered {@code previous} can deliver this one without reading the log
 * @param type the event name; may be one this version does not know
 * @param data the event's JSON payload, relayed as is
 */
public record LoggedEvent(EventId id, @Nullable EventId previous, String type, String data) {
    public LoggedEvent {
        requireNonNull(id, "id");
        requireNonNull(type, "type");
        requireNonNull(data, "data");
    }

    public boolean isTerminal() {
        return EventType.isTerminal(type);
    }
}
