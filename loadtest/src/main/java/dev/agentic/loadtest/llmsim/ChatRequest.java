package dev.agentic.loadtest.llmsim;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The parts of an OpenAI chat-completions request that the simulator uses. Unknown fields are
 * ignored; {@code model} is accepted but not checked.
 *
 * @param stream whether the answer is streamed as server-sent events
 * @param includeUsage {@code stream_options.include_usage}: send a usage chunk before {@code [DONE]}
 * @param maxTokens {@code max_completion_tokens}, else {@code max_tokens}; 0 when absent or not positive
 * @param promptWords whitespace-separated words across all message contents, at least 1
 * @param toolCall the call to answer with: the request offers {@code tools}, its {@code
 *     tool_choice} is not {@code "none"} and its last message is not a tool's result
 * @param toolResult the content of the last message when it is a tool's result ({@code role:
 *     "tool"}): the answer repeats it
 */
record ChatRequest(
        boolean stream,
        boolean includeUsage,
        int maxTokens,
        int promptWords,
        @Nullable ToolCall toolCall,
        @Nullable String toolResult) {

    /** A call of one of the request's tools, with its arguments as JSON text. */
    record ToolCall(String name, String arguments) {}

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** A request the simulator refuses with 400; the message is safe to show to the client. */
    static final class InvalidRequestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidRequestException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @throws InvalidRequestException for malformed JSON, missing or empty {@code messages}, or fields
     *     of the wrong type
     */
    static ChatRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new InvalidRequestException("request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("request body must be a JSON object");
        }
        JsonNode messages = root.get("messages");
        if (messages == null || messages.isNull()) {
            throw new InvalidRequestException("'messages' is a required property");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw new InvalidRequestException("'messages' must be a non-empty array");
        }
        int words = 0;
        String lastUserText = "";
        for (JsonNode message : messages) {
            if (!message.isObject()) {
                throw new InvalidRequestException("each entry of 'messages' must be an object");
            }
            words += contentWords(message.get("content"));
            if ("user".equals(message.path("role").asString(""))) {
                lastUserText = contentText(message.get("content"));
            }
        }
        JsonNode last = messages.get(messages.size() - 1);
        String toolResult = "tool".equals(last.path("role").asString("")) ? contentText(last.get("content")) : null;
        ToolCall toolCall = toolResult == null ? toolCall(root, lastUserText) : null;
        boolean stream = bool(root, "stream");
        JsonNode options = root.get("stream_options");
        boolean includeUsage = false;
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw new InvalidRequestException("'stream_options' must be an object");
            }
            includeUsage = bool(options, "include_usage");
        }
        int maxTokens = positiveInt(root, "max_completion_tokens");
        if (maxTokens == 0) {
            maxTokens = positiveInt(root, "max_tokens");
        }
        return new ChatRequest(stream, includeUsage, maxTokens, Math.max(1, words), toolCall, toolResult);
    }

    /**
     * The call of the tool {@code tool_choice} names, else of the first tool; its arguments give each
     * property of the tool's parameters schema a value from the last user message: a string property
     * its text, an integer or number property its word count, a boolean property {@code true}.
     */
    private static @Nullable ToolCall toolCall(JsonNode root, String lastUserText) {
        JsonNode tools = root.get("tools");
        if (tools == null || !tools.isArray() || tools.isEmpty()) {
            return null;
        }
        JsonNode choice = root.path("tool_choice");
        if ("none".equals(choice.asString(""))) {
            return null;
        }
        String forced = choice.path("function").path("name").asString("");
        JsonNode function = tools.get(0).path("function");
        for (JsonNode tool : tools) {
            if (!forced.isEmpty()
                    && forced.equals(tool.path("function").path("name").asString(""))) {
                function = tool.path("function");
            }
        }
        String name = function.path("name").asString("");
        if (name.isEmpty()) {
            throw new InvalidRequestException("each tool needs a function name");
        }
        ObjectNode arguments = JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> property :
                function.path("parameters").path("properties").properties()) {
            switch (property.getValue().path("type").asString("")) {
                case "string" -> arguments.put(property.getKey(), lastUserText);
                case "integer", "number" -> arguments.put(property.getKey(), countWords(lastUserText));
                case "boolean" -> arguments.put(property.getKey(), true);
                default -> {}
            }
        }
        return new ToolCall(name, JSON.writeValueAsString(arguments));
    }

    /** A message content's text: a string, or its text parts joined. */
    private static String contentText(@Nullable JsonNode content) {
        if (content == null || !(content.isString() || content.isArray())) {
            return "";
        }
        if (content.isString()) {
            return content.stringValue();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            text.append(part.isString() ? part.stringValue() : part.path("text").asString(""));
        }
        return text.toString();
    }

    /** Words in a message content: a string, or an array of parts whose text parts count. */
    private static int contentWords(JsonNode content) {
        if (content == null || content.isNull()) {
            return 0;
        }
        if (content.isString()) {
            return countWords(content.stringValue());
        }
        if (content.isArray()) {
            int words = 0;
            for (JsonNode part : content) {
                if (part.isString()) {
                    words += countWords(part.stringValue());
                } else if (part.isObject() && part.path("text").isString()) {
                    words += countWords(part.path("text").stringValue());
                }
            }
            return words;
        }
        throw new InvalidRequestException("message 'content' must be a string, an array or null");
    }

    static int countWords(String text) {
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
        }
        return words;
    }

    private static boolean bool(JsonNode parent, String field) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new InvalidRequestException("'" + field + "' must be a boolean");
        }
        return value.booleanValue();
    }

    private static int positiveInt(JsonNode parent, String field) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (!value.isIntegralNumber()) {
            throw new InvalidRequestException("'" + field + "' must be an integer");
        }
        if (!value.canConvertToInt()) {
            return value.bigIntegerValue().signum() > 0 ? Integer.MAX_VALUE : 0;
        }
        return Math.max(0, value.intValue());
    }
}
