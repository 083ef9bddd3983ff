package dev.agentic.worker.agent;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** An {@link EventSink} for agent tests: remembers every call, in order. */
public final class RecordingSink implements EventSink {
    /** One call on the sink. */
    public record Call(String kind, String first, String second) {}

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstToken = new CountDownLatch(1);
    private volatile boolean closed;

    @Override
    public void token(String text) {
        calls.add(new Call("token", text, ""));
        firstToken.countDown();
    }

    @Override
    public void toolStart(String tool, String input) {
        calls.add(new Call("tool_start", tool, input));
    }

    @Override
    public void toolEnd(String tool, String output) {
        calls.add(new Call("tool_end", tool, output));
    }

    @Override
    public void toolCall(String id, String name, String arguments) {
        calls.add(new Call("tool_call", name, arguments));
    }

    @Override
    public void metadata(Map<String, Object> values) {
        calls.add(new Call("metadata", values.toString(), ""));
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    public void close() {
        closed = true;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<String> tokens() {
        return calls.stream()
                .filter(c -> c.kind().equals("token"))
                .map(Call::first)
                .toList();
    }

    public String text() {
        return String.join("", tokens());
    }

    /** Counts down at the first token: tests wait on it instead of sleeping. */
    public CountDownLatch firstToken() {
        return firstToken;
    }
}
