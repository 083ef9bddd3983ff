package dev.agentic.worker.agent;

import java.util.Map;

/** Where an agent streams what it does; each call becomes one event of the request's stream. */
public interface EventSink {
    void token(String text);

    void toolStart(String tool, String input);

    void toolEnd(String tool, String output);

    /**
     * The model asks the client to call a function (the OpenAI API's tools); see {@code
     * StreamEvent.ToolCall}.
     *
     * @throws AgentException when the call is too large to relay whole
     */
    void toolCall(String id, String name, String arguments);

    void metadata(Map<String, Object> values);

    /** True once the request is over for the client (ended elsewhere): the agent may stop early. */
    boolean isClosed();
}
