package dev.agentic.ingress.relay;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.EventId;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.EventLog;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Opens {@link EventCursor}s that end by the request's deadline plus {@code agentic.ingress.terminal-grace}. */
@Component
public class EventCursors {
    private final EventLog events;
    private final Subscriptions subscriptions;
    private final Duration grace;
    private final Clock clock;

    EventCursors(EventLog events, Subscriptions subscriptions, IngressProperties properties, Clock clock) {
        this.events = events;
        this.subscriptions = subscriptions;
        this.grace = properties.ingress().terminalGrace();
        this.clock = clock;
    }

    /**
     * The deadline recorded in a request's hash ({@code deadline_ms}), or {@code fallback} when the
     * hash has none (it is gone, or not yet written by whoever opens it).
     */
    public static long deadlineOf(Map<String, String> hash, long fallback) {
        try {
            String deadline = hash.get(RedisKeys.DEADLINE_FIELD);
            return deadline == null ? fallback : Long.parseLong(deadline);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * Subscribes to the request's events after {@code after}.
     *
     * @param deadlineMs the request's deadline (epoch millis); the cursor ends the request once it
     *     and the grace have passed without a terminal event
     */
    public EventCursor open(String requestId, EventId after, long deadlineMs) {
        return new EventCursor(requestId, events, subscriptions, after, deadlineMs + grace.toMillis(), clock);
    }
}
