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
 */
public record ChatOptions(
        List<Turn> messages,
        @Nullable Double temperature,
        @Nullable Double topP,
        @Nullable Integer maxTokens,
        @Nullable List<String> stop,
        @Nullable Integer seed,
        @Nullable Double presencePenalty,
        @Nullable Double frequencyPenalty) {

    public ChatOptions {
        messages = List.copyOf(messages);
        stop = stop == null ? null : List.copyOf(stop);
    }

    /** One message of the conversation. */
    public record Turn(String role, String content) {}

    /** Whether any sampling parameter is set (then a cached answer cannot stand for this one). */
    public boolean hasParameters() {
        return temperature != null
                || topP != null
                || maxTokens != null
                || stop != null
                || seed != null
                || presencePenalty != null
                || frequencyPenalty != null;
    }
}
