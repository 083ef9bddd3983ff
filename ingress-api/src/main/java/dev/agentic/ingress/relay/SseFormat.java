package dev.agentic.ingress.relay;

import dev.agentic.model.LoggedEvent;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;

/**
 * How a request's events are written to one SSE client: the native protocol (one frame per log
 * entry: {@code id:}, {@code event:}, {@code data:}) or another wire format (the OpenAI API's
 * chunks). One instance per stream: a format may keep state (the OpenAI one sends the role once).
 */
public interface SseFormat {
    /** The native protocol of {@code /api/v1/query} and {@code /api/v1/queries/{id}/events}. */
    SseFormat NATIVE = new SseFormat() {
        @Override
        public String preamble(String requestId) {
            return "retry: 2000\n\n";
        }

        @Override
        public String frame(LoggedEvent event) {
            return SseRelay.frame(event.id().toString(), event.type(), event.data());
        }

        @Override
        public String error(String code, String message, boolean retryable) {
            return SseRelay.frame("", "error", WireCodec.encodeData(new StreamEvent.Error(code, message, retryable)));
        }
    };

    /** Written once, before any event of the request {@code requestId}. */
    String preamble(String requestId);

    /** The frames for one logged event; empty for an event this format does not show. */
    String frame(LoggedEvent event);

    /** A final error frame that is not in the log (the log is what failed, or the stream cannot go on). */
    String error(String code, String message, boolean retryable);

    /** The stream is complete in this format even if the request goes on (then the relay ends it). */
    default boolean isComplete() {
        return false;
    }
}
