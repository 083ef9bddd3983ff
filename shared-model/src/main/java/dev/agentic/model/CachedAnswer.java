package dev.agentic.model;

import static java.util.Objects.requireNonNull;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;

/**
 * An answer in the response cache: the events an agent wrote for it (tokens, tool calls, metadata,
 * in order), so a cache hit streams exactly what the original answer streamed. Workers write it
 * after a {@code done}; the ingress replays it for an identical query of the same tenant and agent.
 *
 * @param sourceRequestId the request whose answer this is
 * @param createdAtMs when the worker stored it
 * @param events the agent's events, without {@code queued}, {@code start} and the terminal one
 * @param answer the answer text (the tokens joined)
 * @param finishReason the {@code done} event's finish reason
 */
public record CachedAnswer(
        String sourceRequestId, long createdAtMs, List<Event> events, String answer, String finishReason) {

    /** Agents whose answers depend on the tenant's knowledge base; their key includes its version. */
    public static final List<String> KNOWLEDGE_AGENTS = List.of("rag");

    /** One event of the answer: its SSE name and its JSON payload as the event log holds it. */
    public record Event(String type, String data) {
        public Event {
            requireNonNull(type, "type");
            requireNonNull(data, "data");
        }
    }

    public CachedAnswer {
        requireNonNull(sourceRequestId, "sourceRequestId");
        events = List.copyOf(events);
        requireNonNull(answer, "answer");
        requireNonNull(finishReason, "finishReason");
    }

    /**
     * The form of a query that decides whether two queries are identical: Unicode NFKC, lower case,
     * runs of white space as one space, no leading or trailing space.
     */
    public static String normalize(String query) {
        String folded = Normalizer.normalize(query, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return folded.strip().replaceAll("\\s+", " ");
    }

    /**
     * The digest naming a cached answer ({@link RedisKeys#responseCache}).
     *
     * @param knowledgeVersion the tenant's knowledge version for {@link #KNOWLEDGE_AGENTS}, else 0
     */
    public static String digest(String agent, long knowledgeVersion, String query) {
        return Digests.sha256Hex(agent + '\u0000' + knowledgeVersion + '\u0000' + normalize(query));
    }
}
