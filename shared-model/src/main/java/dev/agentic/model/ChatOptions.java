package dev.agentic.model;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a chat-completions client asked for beyond the query text, for an agent that passes it to
 * its provider ({@code general}): the conversation as its turns, and the sampling parameters. Only
 * on jobs of the OpenAI API; the ingress refuses a parameter the job's agent does not pass on.
 *
 * @param messages the conversation in order; roles {@code system}, {@code user}, {@code assistant}
 * @param temperature sampling temperature, null for the provider's default (so for every other field)
 * @param topP nucleus sampling
 * @param maxTokens the most tokens to generate
 * @param stop sequences that end the answer
 * @param seed for repeatable sampling
 * @param presencePenalty OpenAI's presence penalty
 * @param frequencyPenalty OpenAI's frequency penalty
 * @param tools the functions the model may call, null for none
 * @param toolChoice {@code auto}, {@code none} or {@code required}; the ingress turns a choice of one
 *     function into that function alone, {@code required}
 * @param parallelToolCalls whether the model may call several functions at once
 */
public record ChatOptions(
        List<Turn> messages,
        @Nullable Double temperature,
        @Nullable Double topP,
        @Nullable Integer maxTokens,
        @Nullable List<String> stop,
        @Nullable Integer seed,
        @Nullable Double presencePenalty,
        @Nullable Double frequencyPenalty,
        @Nullable List<Tool> tools,
        @Nullable String toolChoice,
        @Nullable Boolean parallelToolCalls) {

    public ChatOptions {
        messages = List.copyOf(messages);
        stop = stop == null ? null : List.copyOf(stop);
        tools = tools == null ? null : List.copyOf(tools);
    }

    /**
     * One message of the conversation.
     *
     * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
     * @param toolCalls an assistant message's calls, null for none
     * @param toolCallId a {@code tool} message's: the call whose result it is
     */
    public record Turn(
            String role,
            String content,
            @Nullable List<StreamEvent.ToolCall> toolCalls,
            @Nullable String toolCallId) {
        public Turn {
            toolCalls = toolCalls == null ? null : List.copyOf(toolCalls);
        }

        public Turn(String role, String content) {
            this(role, content, null, null);
        }
    }

    /**
     * A function the model may call.
     *
     * @param description what it does, for the model; null for none
     * @param parameters its arguments' JSON Schema as JSON text (an object schema); null for none
     * @param strict OpenAI's structured-outputs flag, passed on
     */
    public record Tool(
            String name,
            @Nullable String description,
            @Nullable String parameters,
            @Nullable Boolean strict) {}

    /**
     * Whether any sampling or tool parameter is set, or the conversation holds tool calls (then a
     * cached answer cannot stand for this one).
     */
    public boolean hasParameters() {
        return tools != null
                || toolChoice != null
                || parallelToolCalls != null
                || messages.stream().anyMatch(turn -> turn.toolCalls() != null || turn.toolCallId() != null)
                || temperature != null
                || topP != null
                || maxTokens != null
                || stop != null
                || seed != null
                || presencePenalty != null
                || frequencyPenalty != null;
    }
}
