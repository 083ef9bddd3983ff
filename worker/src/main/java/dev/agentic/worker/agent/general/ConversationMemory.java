package dev.agentic.worker.agent.general;

import java.util.List;

/**
 * The conversation history of a session, oldest message first (a port: the worker's configuration
 * provides the Redis implementation). A session belongs to a tenant: the same session id in another
 * tenant is another conversation.
 */
public interface ConversationMemory {
    /** Keeps nothing: every question starts a new conversation. */
    ConversationMemory NONE = new ConversationMemory() {
        @Override
        public List<Message> history(String tenant, String sessionId) {
            return List.of();
        }

        @Override
        public void remember(String tenant, String sessionId, Message question, Message answer) {}
    };

    /** One message of a conversation, as an OpenAI-style chat message. */
    record Message(Role role, String content) {
        public Message {
            if (content == null) {
                throw new IllegalArgumentException("message content must not be null");
            }
        }

        public static Message user(String content) {
            return new Message(Role.USER, content);
        }

        public static Message assistant(String content) {
            return new Message(Role.ASSISTANT, content);
        }
    }

    /** Who said it. */
    enum Role {
        USER,
        ASSISTANT
    }

    /** The session's messages so far, oldest first; empty for a new or expired session. */
    List<Message> history(String tenant, String sessionId);

    /** Appends one completed turn: the question and its answer. */
    void remember(String tenant, String sessionId, Message question, Message answer);
}
