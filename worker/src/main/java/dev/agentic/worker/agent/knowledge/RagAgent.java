package dev.agentic.worker.agent.knowledge;

import dev.agentic.model.Usage;
import dev.agentic.model.WireCodec;
import dev.agentic.retrieval.store.Match;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.EventSink;
import dev.agentic.worker.agent.Tokens;
import dev.agentic.worker.agent.llm.LlmStream;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Answers a question from the tenant's knowledge base: {@code tool_start("retrieval")}, the search,
 * {@code tool_end} with the hits, a {@code citations} metadata event, then the answer's tokens.
 *
 * <p>Extractive mode (no LLM, the default) quotes the passages, each marked {@code [n]}, and lists
 * their sources. LLM mode asks the LLM to answer only from the numbered passages and to cite them
 * as {@code [n]}, streams its tokens, then appends the same sources list. No passage at or above the
 * minimum score is an answer too ({@value #NOTHING_FOUND}), not an error.
 */
public final class RagAgent implements Agent {
    static final String NAME = "rag";
    static final String TOOL = "retrieval";
    static final String NOTHING_FOUND = "I found nothing in the knowledge base about that.";

    static final String GROUNDING_PROMPT = """
            You answer questions from a knowledge base. Use only the numbered passages the user \
            gives you, never outside knowledge. After each statement, cite the passages it comes \
            from by their markers, e.g. [1] or [2][3]. If the passages do not answer the question, \
            say that the knowledge base does not say, and nothing else. Answer concisely.""";

    private final KnowledgeSource knowledge;
    private final int topK;
    private final double minScore;
    private final @Nullable LlmStream llm;

    /**
     * @param llm the LLM that writes answers from the passages; {@code null} for extractive answers
     */
    public RagAgent(KnowledgeSource knowledge, int topK, double minScore, @Nullable LlmStream llm) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be positive: " + topK);
        }
        this.knowledge = knowledge;
        this.topK = topK;
        this.minScore = minScore;
        this.llm = llm;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AgentResult run(AgentRequest request, EventSink sink) throws InterruptedException {
        String question = request.query().strip();
        if (question.isEmpty()) {
            throw new AgentException("invalid_request", "The question is empty", false);
        }
        sink.toolStart(TOOL, question);
        Passages passages = retrieve(request, question);
        sink.toolEnd(TOOL, WireCodec.toJson(passages.summary()));
        sink.metadata(Map.of("citations", passages.citations()));
        if (passages.isEmpty()) {
            return local(question, NOTHING_FOUND, sink);
        }
        if (llm == null) {
            return local(question, passages.extractiveAnswer(), sink);
        }
        return grounded(llm, question, passages, sink);
    }

    private Passages retrieve(AgentRequest request, String question) throws InterruptedException {
        List<Match> matches = RetrievalFailures.call(
                request.requestId(), () -> knowledge.get().search(request.tenant(), question, topK));
        return new Passages(matches.stream().filter(m -> m.score() >= minScore).toList());
    }

    private static AgentResult local(String question, String answer, EventSink sink) {
        List<String> tokens = Tokens.split(answer);
        tokens.forEach(sink::token);
        return new AgentResult(new Usage(Tokens.estimate(question), tokens.size(), 0), "stop");
    }

    private static AgentResult grounded(LlmStream llm, String question, Passages passages, EventSink sink)
            throws InterruptedException {
        LlmStream.Answer answer = llm.stream(
                List.of(
                        SystemMessage.from(GROUNDING_PROMPT),
                        UserMessage.from("Passages:\n\n" + passages.forPrompt() + "Question: " + question)),
                sink);
        if (!sink.isClosed()) {
            Tokens.split("\n\n" + passages.sources()).forEach(sink::token);
        }
        return answer.result();
    }
}
