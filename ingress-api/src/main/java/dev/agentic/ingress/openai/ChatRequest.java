package dev.agentic.ingress.openai;

import dev.agentic.ingress.web.ApiException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A chat-completions request, checked: the model (an agent), the conversation as the agent's query
 * text, and whether and how it streams. A parameter this system cannot honour yet is refused with
 * a 400 that names it, never dropped.
 *
 * @param model the agent that answers
 * @param prompt the conversation as one text: a single message as itself, several as {@code role:
 *     text} paragraphs in order
 * @param stream answer as {@code chat.completion.chunk} events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage
 */
record ChatRequest(String model, String prompt, boolean stream, boolean includeUsage) {
    /** Parameters of the OpenAI API that no agent honours yet. */
    static final Set<String> NOT_HONOURED = Set.of(
            "temperature",
            "top_p",
            "max_tokens",
            "max_completion_tokens",
            "stop",
            "seed",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "response_format",
            "presence_penalty",
            "frequency_penalty",
            "logit_bias",
            "logprobs",
            "top_logprobs",
            "functions",
            "function_call",
            "modalities",
            "audio",
            "prediction",
            "reasoning_effort",
            "service_tier",
            "store",
            "metadata",
            "web_search_options");

    private static final Set<String> HONOURED = Set.of("model", "messages", "stream", "stream_options", "n", "user");
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    static ChatRequest of(Map<String, Object> body) {
        for (Map.Entry<String, Object> entry : body.entrySet()) {
            String name = entry.getKey();
            if (HONOURED.contains(name) || entry.getValue() == null) {
                continue;
            }
            if (NOT_HONOURED.contains(name)) {
                throw invalid(
                        "unsupported_parameter",
                        name,
                        "Parameter '" + name + "' is not supported by this server's agents yet");
            }
            throw invalid("unknown_parameter", name, "Unrecognized request argument: " + ApiException.printable(name));
        }
        if (!(body.get("model") instanceof String model) || model.isBlank()) {
            throw invalid(
                    "missing_model", "model", "You must provide a model parameter (an agent name, see /v1/models)");
        }
        if (body.get("n") != null && !Integer.valueOf(1).equals(body.get("n"))) {
            throw invalid("unsupported_parameter", "n", "Only n = 1 is supported");
        }
        boolean stream = flag(body.get("stream"), "stream");
        boolean includeUsage = false;
        if (body.get("stream_options") instanceof Map<?, ?> options) {
            includeUsage = flag(options.get("include_usage"), "stream_options.include_usage");
        } else if (body.get("stream_options") != null) {
            throw invalid("invalid_type", "stream_options", "stream_options must be an object");
        }
        return new ChatRequest(model.strip(), prompt(body.get("messages")), stream, includeUsage);
    }

    private static boolean flag(@Nullable Object value, String param) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean bool) {
            return bool;
        }
        throw invalid("invalid_type", param, param + " must be a boolean");
    }

    private static String prompt(@Nullable Object messages) {
        if (!(messages instanceof List<?> list) || list.isEmpty()) {
            throw invalid("missing_messages", "messages", "messages must be a non-empty array");
        }
        StringJoiner transcript = new StringJoiner("\n\n");
        String only = "";
        for (int i = 0; i < list.size(); i++) {
            String param = "messages[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> message)) {
                throw invalid("invalid_type", param, param + " must be an object");
            }
            for (Object key : message.keySet()) {
                if (!"role".equals(key) && !"content".equals(key) && !"name".equals(key) && message.get(key) != null) {
                    throw invalid(
                            "unsupported_parameter",
                            param + "." + key,
                            "Message field '" + ApiException.printable(String.valueOf(key)) + "' is not supported yet");
                }
            }
            if (!(message.get("role") instanceof String role) || !ROLES.contains(role)) {
                throw invalid(
                        "invalid_value", param + ".role", "role must be one of system, developer, user, assistant");
            }
            only = text(message.get("content"), param + ".content");
            transcript.add(role + ": " + only);
        }
        return list.size() == 1 ? only : transcript.toString();
    }

    /** A message's text: a string, or the text parts of the multi-part form, concatenated. */
    private static String text(@Nullable Object content, String param) {
        if (content instanceof String text) {
            return text;
        }
        if (!(content instanceof List<?> parts)) {
            throw invalid("invalid_type", param, param + " must be a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            if (!(parts.get(i) instanceof Map<?, ?> part)
                    || !"text".equals(part.get("type"))
                    || !(part.get("text") instanceof String piece)) {
                throw invalid(
                        "unsupported_content",
                        param + "[" + i + "]",
                        "Only text parts ({\"type\":\"text\",\"text\":...}) are supported");
            }
            text.append(piece);
        }
        return text.toString();
    }

    static ApiException invalid(String code, String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, code, message, Map.of(OpenAiErrors.PARAM, param));
    }
}
