package dev.agentic.ingress.relay;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.EventType;
import dev.agentic.model.LogText;
import dev.agentic.model.LoggedEvent;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * Writes a request's events to one client as Server-Sent Events, on the request's own virtual
 * thread: {@code id:} is the log entry id, {@code event:} the type, {@code data:} the JSON payload.
 * Idle streams get a comment line every heartbeat. The stream ends after the terminal event.
 */
@Component
public class SseRelay {
    private static final Logger log = LoggerFactory.getLogger(SseRelay.class);

    private final Duration heartbeat;
    private final Timer timeToFirstToken;
    private final Drain drain;
    private final DisconnectWatch disconnects;

    SseRelay(IngressProperties properties, MeterRegistry meters, Drain drain, DisconnectWatch disconnects) {
        this.heartbeat = properties.ingress().heartbeat();
        this.drain = drain;
        this.disconnects = disconnects;
        this.timeToFirstToken = Timer.builder("agentic.ingress.time.to.first.token")
                .description("From acceptance to the first token written to an SSE client")
                .serviceLevelObjectives(
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        Duration.ofMillis(250),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(30))
                .register(meters);
    }

    /** Whether a request's {@code Accept} header asks for an event stream. */
    public static boolean wantsEventStream(@Nullable String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(MediaType.TEXT_EVENT_STREAM_VALUE);
    }

    /**
     * Sends the 200 and relays until the terminal event, a client disconnect (then the request
     * waits for a resume, see {@link DisconnectWatch}), a Redis failure or a drain.
     *
     * @param acceptedAtMs when the request was accepted, for the time-to-first-token metric; 0 for
     *     a resumed stream
     */
    public void relay(String requestId, EventCursor cursor, long acceptedAtMs, HttpServletResponse response) {
        relay(requestId, cursor, acceptedAtMs, response, SseFormat.NATIVE);
    }

    /** As {@link #relay(String, EventCursor, long, HttpServletResponse)}, written in {@code format}. */
    public void relay(
            String requestId, EventCursor cursor, long acceptedAtMs, HttpServletResponse response, SseFormat format) {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache, no-transform");
        response.setHeader("X-Accel-Buffering", "no");
        response.setHeader("X-Request-Id", requestId);
        Client client = new Client(response);
        long attachment = disconnects.attached(requestId, cursor.relayChannel());
        if (attachment > 0) {
            cursor.followed();
        }
        try (Drain.Registration registration = drain.register()) {
            client.write(format.preamble(requestId));
            pump(cursor, acceptedAtMs, client, format);
        } catch (IOException e) {
            log.debug("Query(id={}) client went away: {}", requestId, LogText.safe(String.valueOf(e.getMessage())));
            disconnects.detached(requestId, attachment);
        } catch (RequestExpiredException e) {
            log.warn("Query(id={}) stream ended: the request's status and events are gone", requestId);
            client.writeQuietly(format.error(RequestExpiredException.CODE, String.valueOf(e.getMessage()), false));
        } catch (RedisException e) {
            log.warn(
                    "Query(id={}) stream ended: Redis unavailable: {}",
                    requestId,
                    LogText.safe(String.valueOf(e.getMessage())));
            client.writeQuietly(format.error(
                    "redis_unavailable", "Lost the connection to the queue; resume with Last-Event-ID", true));
        } catch (InterruptedException e) {
            // The Drain's own signal, consumed here on purpose: the interrupt flag is not restored,
            // so that Tomcat can still finish the response (its last chunk) on this thread.
            client.writeQuietly(format.error(
                    "shutting_down",
                    "This instance is shutting down; resume with GET /api/v1/queries/" + requestId
                            + "/events and Last-Event-ID",
                    true));
        }
    }

    /** The client's output. */
    private static final class Client {
        private final HttpServletResponse response;

        Client(HttpServletResponse response) {
            this.response = response;
        }

        void write(String text) throws IOException {
            OutputStream out = response.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void writeQuietly(String text) {
            try {
                write(text);
            } catch (IOException | RuntimeException e) {
                log.debug("could not write final frame: {}", LogText.safe(String.valueOf(e.getMessage())));
            }
        }
    }

    private void pump(EventCursor cursor, long acceptedAtMs, Client out, SseFormat format)
            throws IOException, InterruptedException {
        boolean firstToken = true;
        while (!cursor.isFinished() && !format.isComplete()) {
            List<LoggedEvent> events = cursor.next(heartbeat);
            if (events.isEmpty()) {
                out.write(":\n\n");
                continue;
            }
            StringBuilder frames = new StringBuilder();
            for (LoggedEvent event : events) {
                if (firstToken && acceptedAtMs > 0 && event.type().equals(EventType.TOKEN.wireName())) {
                    firstToken = false;
                    timeToFirstToken.record(Duration.ofMillis(System.currentTimeMillis() - acceptedAtMs));
                }
                frames.append(format.frame(event));
            }
            out.write(frames.toString());
        }
    }

    static String frame(String id, String type, String data) {
        StringBuilder frame = new StringBuilder();
        if (!id.isEmpty()) {
            frame.append("id: ").append(id).append('\n');
        }
        frame.append("event: ").append(type).append('\n');
        for (String line : data.split("\n", -1)) {
            frame.append("data: ").append(line).append('\n');
        }
        return frame.append('\n').toString();
    }
}
