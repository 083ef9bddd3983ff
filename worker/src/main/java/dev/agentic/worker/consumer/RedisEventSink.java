package dev.agentic.worker.consumer;

import dev.agentic.model.CachedAnswer;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.AttemptOutcome;
import dev.agentic.redis.AttemptWriter;
import dev.agentic.worker.agent.EventSink;
import io.lettuce.core.RedisException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Appends an agent's events through its attempt's writer and keeps the answer text for the final
 * status. Once the log refuses an event (the request ended, or a later attempt took over) or Redis
 * is lost, the sink is closed with that {@link AttemptOutcome}: the agent may stop, and nothing more
 * is written.
 */
final class RedisEventSink implements EventSink {
    private final AttemptWriter writer;
    private final OutputLimits limits;
    private final StringBuilder answer = new StringBuilder();
    /** The answer reached {@link OutputLimits#maxAnswerChars()}: the agent is stopped, the request ends with length. */
    private volatile boolean answerFull;
    /** Why the sink closed; holds null while it is open. */
    private final AtomicReference<@Nullable AttemptOutcome> closedBy = new AtomicReference<>();

    private int tokens;
    /** The agent's events, kept for the response cache; null when not kept (or too long to keep). */
    private @Nullable List<CachedAnswer.Event> recorded;

    private int recordedChars;

    /** @param record keep the agent's events for {@link #recorded()} */
    RedisEventSink(AttemptWriter writer, boolean record, OutputLimits limits) {
        this.writer = writer;
        this.limits = limits;
        this.recorded = record ? new ArrayList<>() : null;
    }

    /** Appends the token, split to fit events; once the answer is full the rest is dropped and the sink closes. */
    @Override
    public void token(String text) {
        String kept;
        synchronized (answer) {
            if (answerFull || isClosed()) {
                return;
            }
            int room = limits.maxAnswerChars() - answer.length();
            kept = text.length() <= room ? text : text.substring(0, Math.max(0, room));
            answer.append(kept);
            tokens++;
            answerFull = answer.length() >= limits.maxAnswerChars();
        }
        for (String piece : limits.split(kept)) {
            append(new StreamEvent.Token(piece));
        }
    }

    /**
     * Whether the attempt may still write: false once the log refused a write, another party ended
     * the request, another worker took the job or Redis is lost (a full answer still lets the
     * attempt write its terminal event).
     */
    boolean isOpen() {
        return closedBy.get() == null;
    }

    /** The answer reached its limit: the request ends with {@code done}, finish reason {@code length}. */
    boolean answerFull() {
        return answerFull;
    }

    @Override
    public void toolStart(String tool, String input) {
        if (!isClosed()) {
            append(new StreamEvent.ToolStart(tool, input));
        }
    }

    @Override
    public void toolEnd(String tool, String output) {
        if (!isClosed()) {
            append(new StreamEvent.ToolEnd(tool, output));
        }
    }

    @Override
    public void metadata(Map<String, Object> values) {
        if (!isClosed()) {
            append(new StreamEvent.Metadata(values));
        }
    }

    @Override
    public boolean isClosed() {
        return closedBy.get() != null || answerFull;
    }

    /**
     * Closes the sink for a reason seen outside it: another party ended the request ({@link
     * AttemptOutcome.Ended}), another worker owns the job now ({@link AttemptOutcome.Superseded}),
     * or the worker stops ({@link AttemptOutcome.Lost}). A sink closed already keeps its reason.
     */
    void close(AttemptOutcome why) {
        closedBy.compareAndSet(null, why);
    }

    /** Why the sink closed; {@link AttemptOutcome.Lost} if it is still open (nothing settled the attempt). */
    AttemptOutcome outcome() {
        AttemptOutcome why = closedBy.get();
        return why == null ? AttemptOutcome.LOST : why;
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

    /** Never throws: a refusal or a Redis failure closes the sink so the agent stops. */
    void append(StreamEvent event) {
        if (closedBy.get() == null) {
            StreamEvent fitted = limits.fit(event);
            record(fitted);
            AttemptOutcome outcome = write(() -> writer.append(fitted));
            if (!outcome.isOpen()) {
                close(outcome);
            }
        }
    }

    /**
     * Writes the terminal event, unless another worker owns the attempt now or Redis is lost; returns
     * the attempt's outcome.
     */
    AttemptOutcome finish(StreamEvent terminal) {
        AttemptOutcome why = closedBy.get();
        if (why != null && !why.requestHasEnded()) {
            return why;
        }
        StreamEvent fitted = limits.fit(terminal);
        AttemptOutcome outcome = write(() -> writer.finish(fitted, answer()));
        close(outcome);
        return outcome;
    }

    private static AttemptOutcome write(Supplier<AttemptOutcome> write) {
        try {
            return write.get();
        } catch (RedisException e) {
            return AttemptOutcome.LOST;
        }
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
}
