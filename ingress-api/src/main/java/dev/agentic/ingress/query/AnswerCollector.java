package dev.agentic.ingress.query;

import dev.agentic.ingress.relay.EventCursor;
import dev.agentic.ingress.relay.RequestExpiredException;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.EventType;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;

/** For clients that want plain JSON: waits on the event stream and returns the whole answer. */
final class AnswerCollector {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private AnswerCollector() {}

    /**
     * Waits until the request's terminal event, which the cursor guarantees by the request's
     * deadline plus the terminal grace.
     *
     * @param id the request to wait for (a replayed idempotent request is not the job just built)
     * @param agent the agent named in the answer
     */
    static QueryAnswer await(String id, String agent, EventCursor cursor) throws InterruptedException {
        StringBuilder answer = new StringBuilder();
        Map<String, Object> metadata = new LinkedHashMap<>();
        List<StreamEvent.ToolCall> toolCalls = new ArrayList<>();
        while (!cursor.isFinished()) {
            for (LoggedEvent event : next(id, cursor)) {
                Optional<EventType> type = EventType.fromWire(event.type());
                if (type.isEmpty() || !isPartOfTheAnswer(type.get())) {
                    continue; // progress events, or an event type from a newer worker: not decoded
                }
                switch (WireCodec.decodeEvent(type.get(), event.data())) {
                    case StreamEvent.Token token -> answer.append(token.text());
                    case StreamEvent.Restart restart -> {
                        answer.setLength(0);
                        metadata.clear();
                        toolCalls.clear();
                    }
                    case StreamEvent.Done done -> {
                        return answerBody(id, agent, answer.toString(), metadata, toolCalls, done);
                    }
                    case StreamEvent.Error error -> throw failed(id, error);
                    case StreamEvent.Queued q -> {}
                    case StreamEvent.Start s -> {}
                    case StreamEvent.ToolStart t -> {}
                    case StreamEvent.ToolEnd t -> {}
                    case StreamEvent.ToolCall call -> toolCalls.add(call);
                    case StreamEvent.Metadata m -> metadata.putAll(m.values());
                }
            }
        }
        // Finished without a terminal event for this caller: the request ended, its log is gone.
        throw new ApiException(
                HttpStatus.GONE,
                "gone",
                "Query '" + id + "' has ended but its events are no longer kept; its status: GET /api/v1/queries/" + id,
                Map.of("id", id));
    }

    /** Progress events carry nothing the JSON answer shows; skipping them skips their decoding. */
    private static boolean isPartOfTheAnswer(EventType type) {
        return switch (type) {
            case QUEUED, START, TOOL_START, TOOL_END -> false;
            case TOKEN, TOOL_CALL, METADATA, RESTART, DONE, ERROR -> true;
        };
    }

    private static List<LoggedEvent> next(String id, EventCursor cursor) throws InterruptedException {
        try {
            return cursor.next(WAIT);
        } catch (RequestExpiredException e) {
            throw new ApiException(
                    HttpStatus.GATEWAY_TIMEOUT,
                    RequestExpiredException.CODE,
                    String.valueOf(e.getMessage()),
                    Map.of("id", id, "retryable", false));
        }
    }

    private static QueryAnswer answerBody(
            String id,
            String agent,
            String answer,
            Map<String, Object> metadata,
            List<StreamEvent.ToolCall> toolCalls,
            StreamEvent.Done done) {
        return new QueryAnswer(
                id, agent, answer, QueryAnswer.TokenUsage.of(done.usage()), done.finishReason(), metadata, toolCalls);
    }

    /** The HTTP status of a failed request, chosen by the error's code. */
    static ApiException failed(String id, StreamEvent.Error error) {
        HttpStatus status = switch (error.code()) {
            case "math_unparseable", "math_error", "math_too_large", "invalid_document", "invalid_request" ->
                HttpStatus.UNPROCESSABLE_CONTENT;
            case "unknown_agent" -> HttpStatus.BAD_REQUEST;
            case "deadline_exceeded", "llm_timeout" -> HttpStatus.GATEWAY_TIMEOUT;
            case "cancelled" -> HttpStatus.CONFLICT;
            case "llm_overloaded", "llm_unavailable", "redis_unavailable", "retrieval_unavailable" ->
                HttpStatus.SERVICE_UNAVAILABLE;
            case "llm_error", "llm_auth", "retrieval_failed" -> HttpStatus.BAD_GATEWAY;
            default -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
        return new ApiException(
                status, error.code(), error.message(), Map.of("id", id, "retryable", error.retryable()));
    }
}
