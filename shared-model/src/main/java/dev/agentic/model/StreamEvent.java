package dev.agentic.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;

/**
 * One event of a request's stream; the SSE {@code event:} name is {@link #type()}. Every accepted
 * request ends in exactly one terminal event, {@link Done} or {@link Error}.
 */
public sealed interface StreamEvent {

    /** The SSE event name. */
    @JsonIgnore
    default String type() {
        return EventType.of(this).wireName();
    }

    @JsonIgnore
    default boolean isTerminal() {
        return EventType.of(this).isTerminal();
    }

    /** The ingress accepted the request and put it on a lane. */
    record Queued(String lane) implements StreamEvent {}

    /** A worker began an attempt. */
    record Start(String worker, int attempt) implements StreamEvent {}

    /** A piece of the answer. */
    record Token(String text) implements StreamEvent {}

    /** The agent called a tool (retrieval, calculator, ...). */
    record ToolStart(String tool, String input) implements StreamEvent {}

    /** The tool returned. */
    record ToolEnd(String tool, String output) implements StreamEvent {}

    /**
     * The model asks the client to call one of the functions it offered (the OpenAI API's {@code
     * tools}); an answer of calls ends with the finish reason {@code tool_calls}.
     *
     * @param id the call's id, which the tool's result names ({@code tool_call_id})
     * @param arguments the arguments as the model wrote them: JSON text, not checked
     */
    record ToolCall(String id, String name, String arguments) implements StreamEvent {}

    /** Facts about the answer that are not part of it (model, cache hit, sources). */
    record Metadata(Map<String, Object> values) implements StreamEvent {
        public Metadata {
            values = Map.copyOf(values);
        }
    }

    /** A new attempt begins after a worker failure: clients drop the partial answer they hold. */
    record Restart(int attempt, String reason) implements StreamEvent {}

    /** The answer is complete. */
    record Done(Usage usage, String finishReason) implements StreamEvent {}

    /**
     * The request failed for good.
     *
     * @param code stable machine-readable code, e.g. {@code agent_failed}, {@code deadline_exceeded}
     * @param retryable whether sending the same request again may succeed
     */
    record Error(String code, String message, boolean retryable) implements StreamEvent {}
}
