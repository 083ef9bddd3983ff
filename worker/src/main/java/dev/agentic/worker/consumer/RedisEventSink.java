package dev.agentic.worker.consumer;

import dev.agentic.model.StreamEvent;
import dev.agentic.redis.EventLog;
import dev.agentic.worker.agent.EventSink;
import java.util.Map;

/** Appends an agent's events to the request's log and keeps the answer text for the final status. */
final class RedisEventSink implements EventSink {
    private final EventLog log;
    private final String requestId;
    private final StringBuilder answer = new StringBuilder();
    private volatile boolean closed;
    private int tokens;

    RedisEventSink(EventLog log, String requestId) {
        this.log = log;
        this.requestId = requestId;
    }

    @Override
    public void token(String text) {
        synchronized (answer) {
            answer.append(text);
            tokens++;
        }
        append(new StreamEvent.Token(text));
    }

    @Override
    public void toolStart(String tool, String input) {
        append(new StreamEvent.ToolStart(tool, input));
    }

    @Override
    public void toolEnd(String tool, String output) {
        append(new StreamEvent.ToolEnd(tool, output));
    }

    @Override
    public void metadata(Map<String, Object> values) {
        append(new StreamEvent.Metadata(values));
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    String answer() {
        synchronized (answer) {
            return answer.toString();
        }
    }

    int tokens() {
        synchronized (answer) {
            return tokens;
        }
    }

    void append(StreamEvent event) {
        if (!closed && log.append(requestId, event).isEmpty()) {
            // The request ended elsewhere (another attempt finished it, or it expired).
            closed = true;
        }
    }
}
