package dev.agentic.worker.agent.knowledge;

import dev.agentic.retrieval.Chunk;
import dev.agentic.retrieval.store.Match;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * The passages a {@code rag} answer draws on, numbered from 1 in the order retrieved (best first):
 * the citations metadata, the retrieval summary, the extractive answer, the grounded prompt and the
 * sources list all number them the same way.
 */
record Passages(List<Match> matches) {
    Passages {
        matches = List.copyOf(matches);
    }

    boolean isEmpty() {
        return matches.isEmpty();
    }

    /** {@code [{"n":1,"document_id":..,"chunk":..,"title":..,"section":..,"score":..}, ...]}. */
    List<Map<String, Object>> citations() {
        List<Map<String, Object>> citations = new ArrayList<>();
        for (int i = 0; i < matches.size(); i++) {
            Chunk chunk = matches.get(i).chunk();
            Map<String, Object> citation = new LinkedHashMap<>();
            citation.put("n", i + 1);
            citation.put("document_id", chunk.documentId());
            citation.put("chunk", chunk.index());
            putIfPresent(citation, "title", chunk.metadata().get(Chunk.TITLE));
            putIfPresent(citation, "section", chunk.metadata().get(Chunk.SECTION));
            citation.put("score", rounded(matches.get(i).score()));
            citations.add(citation);
        }
        return citations;
    }

    /** The retrieval tool's output: which chunks were found, how near. */
    Map<String, Object> summary() {
        return Map.of(
                "hits",
                matches.stream()
                        .map(m -> Map.of(
                                "document_id", m.chunk().documentId(),
                                "chunk", m.chunk().index(),
                                "score", rounded(m.score())))
                        .toList());
    }

    /** The passages quoted, each marked {@code [n]}, followed by the sources. */
    String extractiveAnswer() {
        StringBuilder answer = new StringBuilder("From the knowledge base:\n");
        for (int i = 0; i < matches.size(); i++) {
            answer.append("\n[")
                    .append(i + 1)
                    .append("] ")
                    .append(matches.get(i).chunk().text().strip())
                    .append('\n');
        }
        return answer.append('\n').append(sources()).toString();
    }

    /** The passages as the LLM sees them: marker, source, text. */
    String forPrompt() {
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < matches.size(); i++) {
            prompt.append('[')
                    .append(i + 1)
                    .append("] (")
                    .append(source(matches.get(i).chunk()))
                    .append(")\n")
                    .append(matches.get(i).chunk().text().strip())
                    .append("\n\n");
        }
        return prompt.toString();
    }

    /** {@code Sources:} and one line per passage: {@code [n] document, chunk i, section "…"}. */
    String sources() {
        return "Sources:\n"
                + IntStream.range(0, matches.size())
                        .mapToObj(i ->
                                "[" + (i + 1) + "] " + source(matches.get(i).chunk()))
                        .collect(Collectors.joining("\n"));
    }

    private static String source(Chunk chunk) {
        StringBuilder source = new StringBuilder(chunk.documentId());
        String title = chunk.metadata().get(Chunk.TITLE);
        if (title != null && !title.equals(chunk.documentId())) {
            source.append(" (").append(title).append(')');
        }
        source.append(", chunk ").append(chunk.index());
        String section = chunk.metadata().get(Chunk.SECTION);
        if (section != null) {
            source.append(", section \"").append(section).append('"');
        }
        return source.toString();
    }

    private static void putIfPresent(Map<String, Object> map, String key, @Nullable String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static double rounded(double score) {
        return Math.round(score * 1000) / 1000.0;
    }
}
