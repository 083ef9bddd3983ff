package dev.agentic.worker.consumer;

import dev.agentic.model.CachedAnswer;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.Appended;
import dev.agentic.redis.AttemptWriter;
import dev.agentic.worker.agent.EventSink;
import io.lettuce.core.RedisException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Appends an agent's events through its attempt's writer and keeps the answer text for the final
 * status. Once the log refuses an event (the request ended, or a later attempt took over) the sink
 * is closed: the agent may stop, and nothing more is written.
 */
final class RedisEventSink implements EventSink {
    /** Where the request stands for this attempt. */
    enum State {
        OPEN,
        /** The request has its terminal event (finished elsewhere, cancelled, expired). */
        ENDED,
        /** Another worker runs a later attempt: leave the job to it, do not acknowledge. */
        SUPERSEDED,
        /** Redis stayed unreachable beyond the retry time: leave the job pending for a later attempt. */
        LOST
    }

    private final AttemptWriter writer;
    private final StringBuilder answer = new StringBuilder();
    private volatile State state = State.OPEN;
    private int tokens;
    /** The agent's events, kept for the response cache; null when not kept (or too long to keep). */
    private @Nullable List<CachedAnswer.Event> recorded;

    private int recordedChars;
    private @Nullable StreamEvent writtenTerminal;

    /** @param record keep the agent's events for {@link #recorded()} */
    RedisEventSink(AttemptWriter writer, boolean record) {
        this.writer = writer;
        this.recorded = record ? new ArrayList<>() : null;
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
        return state != State.OPEN;
    }

    /** Someone else wrote the request's terminal event (seen on its channel). */
    void markEnded() {
        if (state == State.OPEN) {
            state = State.ENDED;
        }
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

    /** Never throws: a Redis failure closes the sink (state {@link State#LOST}) so the agent stops. */
    void append(StreamEvent event) {
        if (state == State.OPEN) {
            record(event);
            try {
                note(writer.append(event));
            } catch (RedisException e) {
                state = State.LOST;
            }
        }
    }

    /** Writes the terminal event; returns the state it leaves the request in for this attempt. */
    State finish(StreamEvent terminal) {
        if (state == State.SUPERSEDED || state == State.LOST) {
            return state;
        }
        Appended result = writer.finish(terminal, answer());
        if (result.isInLog()) {
            writtenTerminal = terminal;
        }
        note(result);
        return result.outcome() == Appended.Outcome.SUPERSEDED ? State.SUPERSEDED : State.ENDED;
    }

    /** The terminal event {@link #finish} wrote; null when it wrote none (the request ended elsewhere). */
    @Nullable
    StreamEvent writtenTerminal() {
        return writtenTerminal;
    }

    /** The agent's events in order, if they were kept and the answer was short enough to keep. */
    Optional<List<CachedAnswer.Event>> recorded() {
        synchronized (answer) {
            return Optional.ofNullable(recorded).map(List::copyOf);
        }
    }

    private void record(StreamEvent event) {
        if (event instanceof StreamEvent.Start || event instanceof StreamEvent.Restart) {
            return;
        }
        synchronized (answer) {
            if (recorded == null) {
                return;
            }
            String data = WireCodec.encodeData(event);
            recordedChars += data.length();
            if (recordedChars > ResponseCacheWriter.MAX_CACHED_CHARS) {
                recorded = null;
            } else {
                recorded.add(new CachedAnswer.Event(event.type(), data));
            }
        }
    }

    /** Whether the entry may be acknowledged: only when the request has its terminal event. */
    boolean isSettled() {
        return state == State.ENDED;
    }

    private void note(Appended result) {
        switch (result.outcome()) {
            case WRITTEN, DUPLICATE -> {}
            case ENDED -> state = State.ENDED;
            case SUPERSEDED -> state = State.SUPERSEDED;
        }
    }
}
