package dev.agentic.ingress.openai;

import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.ChatOptions;
import dev.agentic.model.StreamEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A chat-completions request, checked: the model (an agent), the conversation as the agent's query
 * text, and whether and how it streams. For an agent that passes them to its provider ({@link
 * #PASSING_AGENTS}), the conversation's turns (with its tool calls and results), the tools ({@link
 * ChatTools}) and the sampling parameters go with the job as {@link ChatOptions}. A parameter the
 * model cannot honour is refused with a 400 that names it, never
 * dropped.
 *
 * @param model the agent that answers
 * @param prompt the conversation as one text: a single message as itself, several as {@code role:
 *     text} paragraphs in order
 * @param stream answer as {@code chat.completion.chunk} events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage
 * @param options the turns and parameters for a passing agent; null for the others
 */
record ChatRequest(
        String model,
        String prompt,
        boolean stream,
        boolean includeUsage,
        @Nullable ChatOptions options) {
    /** Agents that hand the conversation and the sampling parameters to their LLM provider. */
    static final Set<String> PASSING_AGENTS = Set.of("general");

    /** Sampling and tool parameters a passing agent hands to its provider. */
    static final Set<String> PASSED_TO_PROVIDER = Set.of(
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "temperature",
            "top_p",
            "max_tokens",
            "max_completion_tokens",
            "stop",
            "seed",
            "presence_penalty",
            "frequency_penalty");

    /** Parameters of the OpenAI API that no agent honours yet. */
    static final Set<String> NOT_HONOURED = Set.of(
            "response_format",
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

    /** At most this many stop sequences (OpenAI's limit), each at most {@link #MAX_STOP_CHARS}. */
    static final int MAX_STOPS = 4;

    static final int MAX_STOP_CHARS = 256;

    private static final Set<String> HONOURED = Set.of("model", "messages", "stream", "stream_options", "n", "user");
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name", "tool_calls", "tool_call_id");

    static ChatRequest of(Map<String, Object> body) {
        if (!(body.get("model") instanceof String given) || given.isBlank()) {
            throw invalid(
                    "missing_model", "model", "You must provide a model parameter (an agent name, see /v1/models)");
        }
        String model = given.strip();
        boolean passes = PASSING_AGENTS.contains(model);
        for (Map.Entry<String, Object> entry : body.entrySet()) {
            String name = entry.getKey();
            if (HONOURED.contains(name) || entry.getValue() == null || (passes && PASSED_TO_PROVIDER.contains(name))) {
                continue;
            }
            if (NOT_HONOURED.contains(name) || PASSED_TO_PROVIDER.contains(name)) {
                throw invalid(
                        "unsupported_parameter",
                        name,
                        "Parameter '" + name + "' is not supported by model '" + ApiException.printable(model) + "'");
            }
            throw invalid("unknown_parameter", name, "Unrecognized request argument: " + ApiException.printable(name));
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
        List<ChatOptions.Turn> turns = turns(body.get("messages"), passes);
        String prompt = turns.size() == 1
                ? turns.getFirst().content()
                : String.join(
                        "\n\n",
                        turns.stream()
                                .map(turn -> turn.role() + ": " + turn.content())
                                .toList());
        return new ChatRequest(model, prompt, stream, includeUsage, passes ? options(body, turns) : null);
    }

    private static ChatOptions options(Map<String, Object> body, List<ChatOptions.Turn> turns) {
        Integer maxTokens = whole(body.get("max_completion_tokens"), "max_completion_tokens", 1);
        if (maxTokens == null) {
            maxTokens = whole(body.get("max_tokens"), "max_tokens", 1);
        }
        ChatTools.Offer offer = ChatTools.offer(body.get("tools"), body.get("tool_choice"));
        return new ChatOptions(
                turns.stream()
                        .map(turn ->
                                "developer".equals(turn.role()) ? new ChatOptions.Turn("system", turn.content()) : turn)
                        .toList(),
                number(body.get("temperature"), "temperature", 0, 2),
                number(body.get("top_p"), "top_p", 0, 1),
                maxTokens,
                stops(body.get("stop")),
                whole(body.get("seed"), "seed", Integer.MIN_VALUE),
                number(body.get("presence_penalty"), "presence_penalty", -2, 2),
                number(body.get("frequency_penalty"), "frequency_penalty", -2, 2),
                offer.tools(),
                offer.toolChoice(),
                body.get("parallel_tool_calls") == null
                        ? null
                        : flag(body.get("parallel_tool_calls"), "parallel_tool_calls"));
    }

    private static @Nullable Double number(@Nullable Object value, String param, double min, double max) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
            throw invalid("invalid_type", param, param + " must be a number");
        }
        double d = number.doubleValue();
        if (d < min || d > max) {
            throw invalid("invalid_value", param, param + " must be between " + min + " and " + max);
        }
        return d;
    }

    private static @Nullable Integer whole(@Nullable Object value, String param, int min) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer number)) {
            throw invalid("invalid_type", param, param + " must be an integer (32 bits)");
        }
        if (number < min) {
            throw invalid("invalid_value", param, param + " must be at least " + min);
        }
        return number;
    }

    private static @Nullable List<String> stops(@Nullable Object value) {
        if (value == null) {
            return null;
        }
        List<?> given = value instanceof List<?> list ? list : List.of(value);
        if (given.isEmpty() || given.size() > MAX_STOPS) {
            throw invalid("invalid_value", "stop", "stop takes 1 to " + MAX_STOPS + " strings");
        }
        List<String> stops = new ArrayList<>();
        for (Object stop : given) {
            if (!(stop instanceof String text) || text.isEmpty() || text.length() > MAX_STOP_CHARS) {
                throw invalid(
                        "invalid_value",
                        "stop",
                        "each stop sequence is a string of 1 to " + MAX_STOP_CHARS + " characters");
            }
            stops.add(text);
        }
        return stops;
    }

    static boolean flag(@Nullable Object value, String param) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean bool) {
            return bool;
        }
        throw invalid("invalid_type", param, param + " must be a boolean");
    }

    /**
     * The conversation. With {@code passes} (an agent that hands it to its provider) it may hold tool
     * calls and results: an assistant message's {@code tool_calls} (then its content may be null), and
     * {@code tool} messages, each answering a call made before it.
     */
    private static List<ChatOptions.Turn> turns(@Nullable Object messages, boolean passes) {
        if (!(messages instanceof List<?> list) || list.isEmpty()) {
            throw invalid("missing_messages", "messages", "messages must be a non-empty array");
        }
        List<ChatOptions.Turn> turns = new ArrayList<>();
        Set<String> calls = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String param = "messages[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> message)) {
                throw invalid("invalid_type", param, param + " must be an object");
            }
            for (Object key : message.keySet()) {
                if (message.get(key) != null
                        && (!MESSAGE_FIELDS.contains(String.valueOf(key))
                                || (!passes && key.toString().startsWith("tool_")))) {
                    throw invalid(
                            "unsupported_parameter",
                            param + "." + ApiException.printable(String.valueOf(key)),
                            "Message field '" + ApiException.printable(String.valueOf(key)) + "' is not supported"
                                    + (passes ? "" : " by this model"));
                }
            }
            Object role = message.get("role");
            if (!(role instanceof String named) || !(ROLES.contains(named) || (passes && named.equals("tool")))) {
                throw invalid(
                        "invalid_value",
                        param + ".role",
                        "role must be one of system, developer, user, assistant" + (passes ? ", tool" : ""));
            }
            if (named.equals("assistant") && message.get("tool_calls") != null) {
                List<StreamEvent.ToolCall> made = ChatTools.calls(message.get("tool_calls"), param + ".tool_calls");
                made.forEach(call -> calls.add(call.id()));
                String content = message.get("content") == null ? "" : text(message.get("content"), param + ".content");
                turns.add(new ChatOptions.Turn(named, content, made, null));
            } else if (named.equals("tool")) {
                if (!(message.get("tool_call_id") instanceof String answered) || !calls.contains(answered)) {
                    throw invalid(
                            "invalid_value",
                            param + ".tool_call_id",
                            "a tool message answers a call (tool_call_id) of an earlier assistant message");
                }
                turns.add(
                        new ChatOptions.Turn(named, text(message.get("content"), param + ".content"), null, answered));
            } else {
                if (message.get("tool_call_id") != null) {
                    throw invalid(
                            "unsupported_parameter", param + ".tool_call_id", "only a tool message has tool_call_id");
                }
                turns.add(new ChatOptions.Turn(named, text(message.get("content"), param + ".content")));
            }
        }
        return turns;
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
