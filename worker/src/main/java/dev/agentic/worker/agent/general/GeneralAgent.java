package dev.agentic.worker.agent.general;

import dev.agentic.model.ChatOptions;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.EventSink;
import dev.agentic.worker.agent.llm.LlmStream;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams an answer from an OpenAI-compatible chat endpoint (see {@link LlmStream} for cancellation
 * and timeouts). With a session id, the session's earlier questions and answers are sent before the
 * new question, and the new turn is remembered once its answer is complete (never after a cancel or
 * an error). Memory that cannot be read or written costs the conversation its context, not the
 * answer.
 */
public final class GeneralAgent implements Agent {
    private static final Logger log = LoggerFactory.getLogger(GeneralAgent.class);

    private final LlmStream llm;
    private final String systemPrompt;
    private final ConversationMemory memory;

    /**
     * @param silenceTimeout longest wait for the first token or between two tokens
     */
    public GeneralAgent(StreamingChatModel model, String systemPrompt, Duration silenceTimeout) {
        this(new LlmStream(model, silenceTimeout), systemPrompt, ConversationMemory.NONE);
    }

    public GeneralAgent(LlmStream llm, String systemPrompt, ConversationMemory memory) {
        this.llm = llm;
        this.systemPrompt = systemPrompt;
        this.memory = memory;
    }

    @Override
    public String name() {
        return "general";
    }

    @Override
    public AgentResult run(AgentRequest request, EventSink sink) throws InterruptedException {
        ChatOptions chat = request.chat();
        if (chat != null) {
            return llm.stream(ClientChat.request(chat, systemPrompt), sink).result();
        }
        @Nullable String session = hasSession(request) ? request.sessionId() : null;
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from(systemPrompt));
        if (session != null) {
            history(request, session).stream()
                    .filter(message -> !message.content().isBlank())
                    .forEach(message -> messages.add(toChat(message)));
        }
        messages.add(UserMessage.from(request.query()));
        LlmStream.Answer answer = llm.stream(messages, sink);
        if (session != null && !sink.isClosed() && !answer.text().isBlank()) {
            remember(request, session, answer.text());
        }
        return answer.result();
    }

    private static boolean hasSession(AgentRequest request) {
        return request.sessionId() != null && !request.sessionId().isBlank();
    }

    private List<ConversationMemory.Message> history(AgentRequest request, String session) {
        try {
            return memory.history(request.tenant(), session);
        } catch (RuntimeException e) {
            log.warn(
                    "Query(id={}) could not read its session history; answering without it: {}",
                    request.requestId(),
                    e.toString());
            return List.of();
        }
    }

    private void remember(AgentRequest request, String session, String answer) {
        try {
            memory.remember(
                    request.tenant(),
                    session,
                    ConversationMemory.Message.user(request.query()),
                    ConversationMemory.Message.assistant(answer));
        } catch (RuntimeException e) {
            log.warn(
                    "Query(id={}) could not store its turn in the session history: {}",
                    request.requestId(),
                    e.toString());
        }
    }

    private static ChatMessage toChat(ConversationMemory.Message message) {
        return switch (message.role()) {
            case USER -> UserMessage.from(message.content());
            case ASSISTANT -> AiMessage.from(message.content());
        };
    }
}
