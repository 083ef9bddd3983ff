package dev.agentic.ingress.openai;

import dev.agentic.ingress.query.QueryAnswer;
import dev.agentic.ingress.relay.SseFormat;
import dev.agentic.ingress.web.OpenAiErrorBody;
import dev.agentic.model.EventType;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * A request's events as OpenAI {@code chat.completion.chunk}s: the role first, one chunk per
 * {@code token} and one per {@code tool_call} (its SSE {@code id:} the log entry's, so {@code
 * Last-Event-ID} resumes), a last
 * chunk with the finish reason, the usage chunk when asked, then {@code data: [DONE]}. An {@code
 * error} event is an error chunk and ends the stream; so does a {@code restart} (the answer a
 * client holds is void: the native API shows the new attempt). Other events are not shown.
 */
final class ChatChunks implements SseFormat {
    private final JsonMapper json;
    private final String model;
    private final long created;
    private final boolean includeUsage;
    private String id = "";
    private int toolCalls;
    private boolean complete;

    ChatChunks(JsonMapper json, String model, long created, boolean includeUsage) {
        this.json = json;
        this.model = model;
        this.created = created;
        this.includeUsage = includeUsage;
    }

    static String completionId(String requestId) {
        return "chatcmpl-" + requestId;
    }

    @Override
    public String preamble(String requestId) {
        id = completionId(requestId);
        Map<String, Object> role = new LinkedHashMap<>(); // in OpenAI's order (Map.of's varies by run)
        role.put("role", "assistant");
        role.put("content", "");
        return data("", chunk(role, null));
    }

    @Override
    public String frame(LoggedEvent event) {
        if (complete) {
            return "";
        }
        EventType type = EventType.fromWire(event.type()).orElse(null);
        if (type == null) {
            return "";
        }
        return switch (WireCodec.decodeEvent(type, event.data())) {
            case StreamEvent.Token token -> data(event.id().toString(), chunk(Map.of("content", token.text()), null));
            case StreamEvent.ToolCall call ->
                data(event.id().toString(), chunk(Map.of("tool_calls", List.of(toolCall(toolCalls++, call))), null));
            case StreamEvent.Done done -> {
                complete = true;
                StringBuilder frames = new StringBuilder(
                        data(event.id().toString(), chunk(Map.of(), finishReason(done.finishReason()))));
                if (includeUsage) {
                    Map<String, Object> usage = head();
                    usage.put("choices", List.of());
                    usage.put(
                            "usage", usage(done.usage().tokensIn(), done.usage().tokensOut()));
                    frames.append(data("", usage));
                }
                yield frames.append("data: [DONE]\n\n").toString();
            }
            case StreamEvent.Error error -> error(error.code(), error.message(), error.retryable());
            case StreamEvent.Restart restart ->
                error(
                        "answer_restarted",
                        "A worker failed mid-answer and the answer restarted; read it again through the native API",
                        true);
            default -> "";
        };
    }

    @Override
    public String error(String code, String message, boolean retryable) {
        complete = true;
        return data("", OpenAiErrorBody.of(message, "server_error", null, code));
    }

    @Override
    public boolean isComplete() {
        return complete;
    }

    /**
     * The OpenAI finish reason for ours: {@code stop}, {@code length} and {@code tool_calls} as they
     * are, anything else {@code stop}.
     */
    static String finishReason(String ours) {
        return switch (ours) {
            case "length", "tool_calls" -> ours;
            default -> "stop";
        };
    }

    /**
     * A call in OpenAI's form; {@code index} only in a chunk, where it tells the calls of one answer
     * apart (each of ours comes whole, in one chunk).
     */
    private static Map<String, Object> toolCall(@Nullable Integer index, StreamEvent.ToolCall call) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", call.name());
        function.put("arguments", call.arguments());
        Map<String, Object> body = new LinkedHashMap<>();
        if (index != null) {
            body.put("index", index);
        }
        body.put("id", call.id());
        body.put("type", "function");
        body.put("function", function);
        return body;
    }

    static Map<String, Object> usage(long tokensIn, long tokensOut) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt_tokens", tokensIn);
        body.put("completion_tokens", tokensOut);
        body.put("total_tokens", tokensIn + tokensOut);
        return body;
    }

    /** The {@code chat.completion} body of an answer awaited in full. */
    static Map<String, Object> completion(QueryAnswer answer, String model, long created) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "assistant");
        boolean calls = !answer.toolCalls().isEmpty();
        message.put("content", calls && answer.answer().isEmpty() ? null : answer.answer());
        if (calls) {
            message.put(
                    "tool_calls",
                    answer.toolCalls().stream()
                            .map(call -> toolCall(null, call))
                            .toList());
        }
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("message", message);
        choice.put("finish_reason", finishReason(answer.finishReason()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", completionId(answer.id()));
        body.put("object", "chat.completion");
        body.put("created", created);
        body.put("model", model);
        body.put("choices", List.of(choice));
        body.put("usage", usage(answer.usage().tokensIn(), answer.usage().tokensOut()));
        return body;
    }

    private Map<String, Object> head() {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("id", id);
        head.put("object", "chat.completion.chunk");
        head.put("created", created);
        head.put("model", model);
        return head;
    }

    private Map<String, Object> chunk(Map<String, Object> delta, @Nullable String finishReason) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("finish_reason", finishReason);
        Map<String, Object> chunk = head();
        chunk.put("choices", List.of(choice));
        return chunk;
    }

    private String data(String eventId, Map<String, Object> body) {
        String idLine = eventId.isEmpty() ? "" : "id: " + eventId + "\n";
        return idLine + "data: " + json.writeValueAsString(body) + "\n\n";
    }
}
