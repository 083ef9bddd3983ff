package dev.agentic.loadtest.llmsim;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Builds the OpenAI-format JSON documents the simulator sends. Field order follows OpenAI's. */
final class OpenAiWire {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OpenAiWire() {}

    /** Token i of every answer: {@code "sim" + i + " "}. */
    static String token(int index) {
        return "sim" + index + " ";
    }

    /** The whole answer of n tokens: {@code "sim0 sim1 ... sim(n-1) "}. */
    static String text(int tokens) {
        StringBuilder sb = new StringBuilder(tokens * 6);
        for (int i = 0; i < tokens; i++) {
            sb.append(token(i));
        }
        return sb.toString();
    }

    /** A {@code chat.completion.chunk} with one choice; role and content are left out when null. */
    static String chunk(
            String id,
            long created,
            String model,
            @Nullable String role,
            @Nullable String content,
            @Nullable String finishReason) {
        ObjectNode chunk = header(id, "chat.completion.chunk", created, model);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (role != null) {
            delta.put("role", role);
        }
        if (content != null) {
            delta.put("content", content);
        }
        choice.put("finish_reason", finishReason);
        return JSON.writeValueAsString(chunk);
    }

    /**
     * A chunk of a streamed tool call: the first names the call and carries the role, the next ones
     * carry pieces of its arguments (OpenAI's {@code delta.tool_calls} form).
     */
    static String toolCallChunk(
            String id,
            long created,
            String model,
            ChatRequest.ToolCall call,
            String callId,
            boolean first,
            String arguments) {
        ObjectNode chunk = header(id, "chat.completion.chunk", created, model);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
            delta.put("role", "assistant");
            delta.putNull("content");
        }
        ObjectNode entry = delta.putArray("tool_calls").addObject();
        entry.put("index", 0);
        if (first) {
            entry.put("id", callId);
            entry.put("type", "function");
        }
        ObjectNode function = entry.putObject("function");
        if (first) {
            function.put("name", call.name());
        }
        function.put("arguments", arguments);
        choice.putNull("finish_reason");
        return JSON.writeValueAsString(chunk);
    }

    /** A whole {@code chat.completion} whose answer is a call of one tool. */
    static String toolCallCompletion(
            String id, long created, String model, ChatRequest.ToolCall call, String callId, int promptTokens) {
        ObjectNode completion = header(id, "chat.completion", created, model);
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.putNull("content");
        ObjectNode entry = message.putArray("tool_calls").addObject();
        entry.put("id", callId);
        entry.put("type", "function");
        ObjectNode function = entry.putObject("function");
        function.put("name", call.name());
        function.put("arguments", call.arguments());
        choice.put("finish_reason", "tool_calls");
        usage(completion, promptTokens, toolCallTokens(call));
        return JSON.writeValueAsString(completion);
    }

    /** What a tool call counts as output: one token per started 4 characters of its arguments. */
    static int toolCallTokens(ChatRequest.ToolCall call) {
        return Math.max(1, (call.arguments().length() + 3) / 4);
    }

    /** The last chunk when usage was asked for: no choices, only the usage. */
    static String usageChunk(String id, long created, String model, int promptTokens, int completionTokens) {
        ObjectNode chunk = header(id, "chat.completion.chunk", created, model);
        chunk.putArray("choices");
        usage(chunk, promptTokens, completionTokens);
        return JSON.writeValueAsString(chunk);
    }

    /** A whole {@code chat.completion} answer of {@code tokens} filler tokens. */
    static String completion(String id, long created, String model, int tokens, String finishReason, int promptTokens) {
        return completion(id, created, model, text(tokens), tokens, finishReason, promptTokens);
    }

    /** A whole {@code chat.completion} answer. */
    static String completion(
            String id, long created, String model, String text, int tokens, String finishReason, int promptTokens) {
        ObjectNode completion = header(id, "chat.completion", created, model);
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", text);
        choice.put("finish_reason", finishReason);
        usage(completion, promptTokens, tokens);
        return JSON.writeValueAsString(completion);
    }

    static String models(String model) {
        ObjectNode list = JSON.createObjectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        ObjectNode entry = data.addObject();
        entry.put("id", model);
        entry.put("object", "model");
        entry.put("created", 0);
        entry.put("owned_by", "agentic-simulator");
        return JSON.writeValueAsString(list);
    }

    /** An OpenAI-style error body: {@code {"error":{"message":..,"type":..,"code":..}}}. */
    static String error(String message, String type, @Nullable String code) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("code", code);
        return JSON.writeValueAsString(body);
    }

    static String health() {
        return JSON.writeValueAsString(JSON.createObjectNode().put("status", "UP"));
    }

    static String stats(SimulatorStats stats) {
        return JSON.writeValueAsString(stats);
    }

    private static ObjectNode header(String id, String object, long created, String model) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("object", object);
        node.put("created", created);
        node.put("model", model);
        return node;
    }

    private static void usage(ObjectNode parent, int promptTokens, int completionTokens) {
        ObjectNode usage = parent.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
    }
}
