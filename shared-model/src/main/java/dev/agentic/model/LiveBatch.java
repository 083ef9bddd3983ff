package dev.agentic.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One live pub/sub message: the events one emit call appended to a request's log, oldest first,
 * each with the id of the entry before it (so a relay can tell whether it missed anything).
 *
 * @param requestId the request the events belong to
 * @param events at least one event, in log order
 */
public record LiveBatch(String requestId, List<LoggedEvent> events) {
    public LiveBatch {
        requireNonNull(requestId, "requestId");
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a live batch has at least one event");
        }
    }
}
