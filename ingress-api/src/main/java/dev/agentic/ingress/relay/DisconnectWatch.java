package dev.agentic.ingress.relay;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.LogText;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.redis.EventLog;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Cancels a request whose streaming client went away and did not come back: when a stream's client
 * disconnects, the request records the time; if no client resumes it (on any instance) within the
 * grace period, its job is cancelled so the LLM stops generating for nobody.
 */
@Component
public class DisconnectWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DisconnectWatch.class);

    private final EventLog events;
    private final Duration grace;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("disconnect-watch").daemon().factory());

    DisconnectWatch(EventLog events, IngressProperties properties) {
        this.events = events;
        this.grace = properties.ingress().disconnectGrace();
    }

    /**
     * A client attached to the request's stream (the first one, or a resume on any instance); the
     * instance's relay channel joins the request's relays.
     *
     * @return its attachment number, to hand back to {@link #detached}; 0 when the request is gone
     */
    public long attached(String requestId, String relayChannel) {
        try {
            return events.attach(requestId, relayChannel);
        } catch (RedisException e) {
            return 0; // the stream itself will fail on Redis; no cancel is armed for it
        }
    }

    /**
     * The client of attachment {@code attachment} disconnected before the end. Unless another
     * client attaches to the request within the grace period, the request is cancelled.
     */
    public void detached(String requestId, long attachment) {
        if (attachment > 0) {
            timers.schedule(() -> cancelIfAbandoned(requestId, attachment), grace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void cancelIfAbandoned(String requestId, long attachment) {
        try {
            Map<String, String> status = events.status(requestId);
            String state = status.getOrDefault(RedisKeys.STATUS_FIELD, "done");
            boolean open = !state.equals("done") && !state.equals("error");
            boolean nobodyCameBack = String.valueOf(attachment).equals(status.get(RedisKeys.ATTACHES_FIELD));
            if (open && nobodyCameBack) {
                log.info("Query(id={}) cancelled: its client left and did not resume within {}", requestId, grace);
                events.end(
                        requestId,
                        new StreamEvent.Error(
                                "cancelled",
                                "The client disconnected and did not resume within " + grace.toSeconds() + " s",
                                false));
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Query(id={}) disconnect check failed: {}",
                    requestId,
                    LogText.safe(String.valueOf(e.getMessage())));
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
