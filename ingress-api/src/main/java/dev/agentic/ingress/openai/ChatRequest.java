package dev.agentic.ingress.openai;

import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.ChatOptions;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A chat-completions request, checked: the model (an agent), the conversation as the agent's query
 * text, and whether and how it streams. For an agent that passes them to its provider ({@link
 * #PASSING_AGENTS}), the conversation's turns (with its tool calls and results), the tools and the
 * sampling parameters go with the job as {@link ChatOptions}. A parameter the model cannot honour is refused with a 400 that names it, never
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

    /** At most this many tools, and tool calls in one message (OpenAI's limit). */
    static final int MAX_TOOLS = 128;

    /** A function's name, as OpenAI takes it. */
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    /** The keywords of a tool's parameters schema that pass on; {@code title} and {@code $schema} only annotate. */
    private static final Set<String> SCHEMA_KEYWORDS =
            Set.of("type", "properties", "required", "additionalProperties", "description", "$defs");

    private static final Set<String> SCHEMA_ANNOTATIONS = Set.of("title", "$schema");
    private static final Set<String> TOOL_CHOICES = Set.of("none", "auto", "required");

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
        List<ChatOptions.Tool> tools = tools(body.get("tools"));
        String toolChoice = null;
        Object choice = body.get("tool_choice");
        if (choice != null && tools == null) {
            throw invalid("invalid_value", "tool_choice", "tool_choice is only allowed when tools are specified");
        }
        if (choice instanceof String mode && TOOL_CHOICES.contains(mode)) {
            toolChoice = mode;
        } else if (choice != null && tools != null) {
            // One function named: that function alone, which the model must call.
            String name = forcedFunction(choice);
            tools = tools.stream().filter(tool -> tool.name().equals(name)).toList();
            if (tools.isEmpty()) {
                throw invalid(
                        "invalid_value",
                        "tool_choice",
                        "tool_choice names function '" + ApiException.printable(name) + "', which is not in tools");
            }
            toolChoice = "required";
        }
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
                tools,
                toolChoice,
                body.get("parallel_tool_calls") == null
                        ? null
                        : flag(body.get("parallel_tool_calls"), "parallel_tool_calls"));
    }

    private static String forcedFunction(Object choice) {
        if (choice instanceof Map<?, ?> named
                && "function".equals(named.get("type"))
                && named.get("function") instanceof Map<?, ?> function
                && function.get("name") instanceof String name) {
            return name;
        }
        throw invalid(
                "invalid_value",
                "tool_choice",
                "tool_choice is none, auto, required or {\"type\":\"function\",\"function\":{\"name\":...}}");
    }

    /** The functions offered: each named as OpenAI names them, once, with an object schema. */
    private static @Nullable List<ChatOptions.Tool> tools(@Nullable Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list) || list.isEmpty() || list.size() > MAX_TOOLS) {
            throw invalid("invalid_value", "tools", "tools must be an array of 1 to " + MAX_TOOLS + " tools");
        }
        List<ChatOptions.Tool> tools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String param = "tools[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> tool) || !"function".equals(tool.get("type"))) {
                throw invalid(
                        "invalid_value", param + ".type", "each tool is {\"type\":\"function\",\"function\":{...}}");
            }
            onlyFields(tool, Set.of("type", "function"), param);
            if (!(tool.get("function") instanceof Map<?, ?> function)) {
                throw invalid("invalid_type", param + ".function", param + ".function must be an object");
            }
            onlyFields(function, Set.of("name", "description", "parameters", "strict"), param + ".function");
            if (!(function.get("name") instanceof String name)
                    || !FUNCTION_NAME.matcher(name).matches()) {
                throw invalid(
                        "invalid_value",
                        param + ".function.name",
                        "a function name is 1 to 64 letters, digits, underscores and dashes");
            }
            if (!names.add(name)) {
                throw invalid("invalid_value", param + ".function.name", "function '" + name + "' is declared twice");
            }
            Object description = function.get("description");
            if (description != null && !(description instanceof String)) {
                throw invalid("invalid_type", param + ".function.description", "description must be a string");
            }
            Object strict = function.get("strict");
            tools.add(new ChatOptions.Tool(
                    name,
                    (String) description,
                    parameters(function.get("parameters"), param + ".function.parameters"),
                    strict == null ? null : flag(strict, param + ".function.strict")));
        }
        return tools;
    }

    /**
     * A function's parameters schema as JSON text: an object schema of {@link #SCHEMA_KEYWORDS} (each
     * property's own schema passes on as written), with {@link #SCHEMA_ANNOTATIONS} left out; any
     * other keyword at the top is refused, never dropped.
     */
    private static @Nullable String parameters(@Nullable Object value, String param) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> schema)) {
            throw invalid("invalid_type", param, param + " must be a JSON Schema object");
        }
        Map<String, Object> kept = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : schema.entrySet()) {
            String keyword = String.valueOf(entry.getKey());
            if (SCHEMA_ANNOTATIONS.contains(keyword)) {
                continue;
            }
            if (!SCHEMA_KEYWORDS.contains(keyword)) {
                throw invalid(
                        "unsupported_parameter",
                        param + "." + ApiException.printable(keyword),
                        "Schema keyword '" + ApiException.printable(keyword)
                                + "' is not supported at the top of a function's parameters");
            }
            kept.put(keyword, entry.getValue());
        }
        if (kept.containsKey("type") && !"object".equals(kept.get("type"))) {
            throw invalid("invalid_value", param + ".type", "a function's parameters schema is of type object");
        }
        if (!(kept.getOrDefault("properties", Map.of()) instanceof Map<?, ?> properties)
                || !properties.values().stream().allMatch(Map.class::isInstance)) {
            throw invalid("invalid_type", param + ".properties", "properties maps each name to a schema object");
        }
        if (!(kept.getOrDefault("required", List.of()) instanceof List<?> required)
                || !required.stream().allMatch(String.class::isInstance)) {
            throw invalid("invalid_type", param + ".required", "required is an array of property names");
        }
        if (kept.containsKey("additionalProperties") && !(kept.get("additionalProperties") instanceof Boolean)) {
            throw invalid("invalid_type", param + ".additionalProperties", "additionalProperties must be a boolean");
        }
        if (!(kept.getOrDefault("$defs", Map.of()) instanceof Map<?, ?> definitions)
                || !definitions.values().stream().allMatch(Map.class::isInstance)) {
            throw invalid("invalid_type", param + ".$defs", "$defs maps each name to a schema object");
        }
        if (kept.containsKey("description") && !(kept.get("description") instanceof String)) {
            throw invalid("invalid_type", param + ".description", "description must be a string");
        }
        return WireCodec.toJson(kept);
    }

    private static void onlyFields(Map<?, ?> object, Set<String> known, String param) {
        for (Object key : object.keySet()) {
            if (!known.contains(String.valueOf(key)) && object.get(key) != null) {
                throw invalid(
                        "unsupported_parameter",
                        param + "." + ApiException.printable(String.valueOf(key)),
                        "Field '" + ApiException.printable(String.valueOf(key)) + "' is not supported");
            }
        }
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

    private static boolean flag(@Nullable Object value, String param) {
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
                List<StreamEvent.ToolCall> made = toolCalls(message.get("tool_calls"), param + ".tool_calls");
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

    /** An assistant message's calls, as the model made them. */
    private static List<StreamEvent.ToolCall> toolCalls(Object value, String param) {
        if (!(value instanceof List<?> list) || list.isEmpty() || list.size() > MAX_TOOLS) {
            throw invalid("invalid_value", param, param + " must be an array of 1 to " + MAX_TOOLS + " calls");
        }
        List<StreamEvent.ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = param + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> call)
                    || !(call.get("id") instanceof String id)
                    || id.isEmpty()
                    || id.length() > MAX_STOP_CHARS
                    || !"function".equals(call.get("type"))
                    || !(call.get("function") instanceof Map<?, ?> function)
                    || !(function.get("name") instanceof String name)
                    || !(function.get("arguments") instanceof String arguments)) {
                throw invalid(
                        "invalid_value",
                        at,
                        "a tool call is {\"id\":...,\"type\":\"function\",\"function\":{\"name\":...,\"arguments\":\"...\"}}");
            }
            calls.add(new StreamEvent.ToolCall(id, name, arguments));
        }
        return calls;
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
