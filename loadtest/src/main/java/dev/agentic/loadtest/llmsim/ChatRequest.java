package dev.agentic.loadtest.llmsim;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The parts of an OpenAI chat-completions request that the simulator uses. Unknown fields are
 * ignored; {@code model} is accepted but not checked.
 *
 * @param stream whether the answer is streamed as server-sent events
 * @param includeUsage {@code stream_options.include_usage}: send a usage chunk before {@code [DONE]}
 * @param maxTokens {@code max_completion_tokens}, else {@code max_tokens}; 0 when absent or not positive
 * @param promptWords whitespace-separated words across all message contents, at least 1
 */
record ChatRequest(boolean stream, boolean includeUsage, int maxTokens, int promptWords) {

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
        for (JsonNode message : messages) {
            if (!message.isObject()) {
                throw new InvalidRequestException("each entry of 'messages' must be an object");
            }
            words += contentWords(message.get("content"));
        }
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
        return new ChatRequest(stream, includeUsage, maxTokens, Math.max(1, words));
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
