package dev.agentic.model;

import java.util.Locale;
import java.util.Optional;

/** The closed set of event names on the wire, and which of them end a stream. */
public enum EventType {
    QUEUED,
    START,
    TOKEN,
    TOOL_START,
    TOOL_END,
    TOOL_CALL,
    METADATA,
    RESTART,
    DONE,
    ERROR;

    private static final EventType[] ALL = values();

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }

    public boolean isTerminal() {
        return this == DONE || this == ERROR;
    }

    /** Empty for a name this version does not know (a newer worker's event); relays pass it on. */
    public static Optional<EventType> fromWire(String name) {
        for (EventType type : ALL) {
            if (type.wireName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    public static boolean isTerminal(String wireName) {
        return fromWire(wireName).map(EventType::isTerminal).orElse(false);
    }

    static EventType of(StreamEvent event) {
        return switch (event) {
            case StreamEvent.Queued q -> QUEUED;
            case StreamEvent.Start s -> START;
            case StreamEvent.Token t -> TOKEN;
            case StreamEvent.ToolStart t -> TOOL_START;
            case StreamEvent.ToolEnd t -> TOOL_END;
            case StreamEvent.ToolCall t -> TOOL_CALL;
            case StreamEvent.Metadata m -> METADATA;
            case StreamEvent.Restart r -> RESTART;
            case StreamEvent.Done d -> DONE;
            case StreamEvent.Error e -> ERROR;
        };
    }
}
