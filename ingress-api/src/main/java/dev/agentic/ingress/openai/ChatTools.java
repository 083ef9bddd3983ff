package dev.agentic.ingress.openai;

import static dev.agentic.ingress.openai.ChatRequest.flag;
import static dev.agentic.ingress.openai.ChatRequest.invalid;

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

/**
 * A chat request's tools, checked: the functions offered ({@code tools}), the choice among them
 * ({@code tool_choice}), and the calls an assistant message of the conversation made. Each is
 * refused with a 400 naming the part that is wrong, never dropped.
 */
final class ChatTools {
    /** At most this many tools, and tool calls in one message (OpenAI's limit). */
    static final int MAX_TOOLS = 128;

    /** A function's name, as OpenAI takes it. */
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    /** The keywords of a tool's parameters schema that pass on; {@code title} and {@code $schema} only annotate. */
    private static final Set<String> SCHEMA_KEYWORDS =
            Set.of("type", "properties", "required", "additionalProperties", "description", "$defs");

    private static final Set<String> SCHEMA_ANNOTATIONS = Set.of("title", "$schema");
    private static final Set<String> TOOL_CHOICES = Set.of("none", "auto", "required");

    private ChatTools() {}

    /**
     * The functions offered and the choice among them.
     *
     * @param tools null when none were offered
     * @param toolChoice {@code none}, {@code auto} or {@code required}; null for the provider's default
     */
    record Offer(
            @Nullable List<ChatOptions.Tool> tools,
            @Nullable String toolChoice) {}

    /** A choice of one function becomes that function alone, which the model must call ({@code required}). */
    static Offer offer(@Nullable Object tools, @Nullable Object choice) {
        List<ChatOptions.Tool> offered = tools(tools);
        if (choice == null) {
            return new Offer(offered, null);
        }
        if (offered == null) {
            throw invalid("invalid_value", "tool_choice", "tool_choice is only allowed when tools are specified");
        }
        if (choice instanceof String mode && TOOL_CHOICES.contains(mode)) {
            return new Offer(offered, mode);
        }
        String name = forcedFunction(choice);
        List<ChatOptions.Tool> forced =
                offered.stream().filter(tool -> tool.name().equals(name)).toList();
        if (forced.isEmpty()) {
            throw invalid(
                    "invalid_value",
                    "tool_choice",
                    "tool_choice names function '" + ApiException.printable(name) + "', which is not in tools");
        }
        return new Offer(forced, "required");
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

    /** An assistant message's calls, as the model made them. */
    static List<StreamEvent.ToolCall> calls(Object value, String param) {
        if (!(value instanceof List<?> list) || list.isEmpty() || list.size() > MAX_TOOLS) {
            throw invalid("invalid_value", param, param + " must be an array of 1 to " + MAX_TOOLS + " calls");
        }
        List<StreamEvent.ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = param + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> call)
                    || !(call.get("id") instanceof String id)
                    || id.isEmpty()
                    || id.length() > ChatRequest.MAX_STOP_CHARS
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
}
