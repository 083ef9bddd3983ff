package dev.agentic.worker.consumer;

import dev.agentic.model.CachedAnswer;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.AttemptOutcome;
import dev.agentic.redis.AttemptWriter;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.EventSink;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Appends an agent's events through its attempt's writer and keeps the answer text for the final
 * status. Once the log refuses an event (the request ended, or a later attempt took over) or Redis
 * is lost, the sink is closed with that {@link AttemptOutcome}: the agent may stop, and nothing more
 * is written.
 *
 * <p>Events are written in batches, one emit script call each: an event waits at most the
 * coalescing window, and consecutive tokens that wait together become one {@code token} event (their
 * text concatenated, never longer than one event may be). The attempt's first token is written at
 * once, with whatever waits before it, unless the agent computes its answer (then the first token
 * waits like the others, so an answer computed in microseconds goes out with its {@code done} in one
 * call); the terminal event is written with whatever waits before it.
 * A zero window writes every event on its own. Batches are written in order, one at a time; events
 * keep arriving (and coalescing) while one is being written.
 */
final class RedisEventSink implements EventSink {
    private final AttemptWriter writer;
    private final OutputLimits limits;
    private final Duration window;
    private final @Nullable ScheduledExecutorService timer;
    /** The attempt's first token is written at once rather than after the window. */
    private final boolean firstTokenAtOnce;
    /** Held while a batch is taken and written, so batches reach the log in order. */
    private final ReentrantLock writing = new ReentrantLock();
    /** Events not yet written, oldest first; guarded by {@link #answer}. */
    private final List<StreamEvent> pending = new ArrayList<>();
    /** The last event in {@link #pending} is a token later tokens may merge into; guarded by {@link #answer}. */
    private boolean tokenLast;
    /**
     * That token's text with the tokens merged into it since, null before the first merge; guarded
     * by {@link #answer}. Appending keeps merging linear in the text (concatenating strings copied
     * the merged text again for every token).
     */
    private @Nullable StringBuilder mergedText;
    /** The timer that writes {@link #pending} once the window has passed; guarded by {@link #answer}. */
    private @Nullable ScheduledFuture<?> flushTimer;

    private boolean firstTokenQueued;
    private final StringBuilder answer = new StringBuilder();
    /** The answer reached {@link OutputLimits#maxAnswerChars()}: the agent is stopped, the request ends with length. */
    private volatile boolean answerFull;
    /** Why the sink closed; holds null while it is open. */
    private final AtomicReference<@Nullable AttemptOutcome> closedBy = new AtomicReference<>();

    private int tokens;
    /** When the first token came (epoch millis), 0 before it. */
    private volatile long firstTokenAtMs;
    /** The agent's events, kept for the response cache; null when not kept (or too long to keep). */
    private @Nullable List<CachedAnswer.Event> recorded;

    private int recordedChars;

    /** A sink that writes every event on its own. */
    RedisEventSink(AttemptWriter writer, boolean record, OutputLimits limits) {
        this(writer, record, limits, Duration.ZERO, null, true);
    }

    /**
     * @param record keep the agent's events for {@link #recorded()}
     * @param window how long an event may wait to be written with later ones (zero: never)
     * @param timer runs the window's timers (they only start a virtual thread that writes); required
     *     for a positive window
     * @param firstTokenAtOnce write the attempt's first token at once (an agent that streams), or let
     *     it wait for the window like the others (an agent that computes its answer)
     */
    RedisEventSink(
            AttemptWriter writer,
            boolean record,
            OutputLimits limits,
            Duration window,
            @Nullable ScheduledExecutorService timer,
            boolean firstTokenAtOnce) {
        if (window.isPositive() && timer == null) {
            throw new IllegalArgumentException("a coalescing window needs a timer");
        }
        this.writer = writer;
        this.limits = limits;
        this.window = window;
        this.timer = timer;
        this.firstTokenAtOnce = firstTokenAtOnce;
        this.recorded = record ? new ArrayList<>() : null;
    }

    /** When the agent gave its first token (epoch millis), 0 when it gave none. */
    long firstTokenAtMs() {
        return firstTokenAtMs;
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
            if (tokens++ == 0) {
                firstTokenAtMs = System.currentTimeMillis();
            }
            answerFull = answer.length() >= limits.maxAnswerChars();
        }
        for (String piece : limits.split(kept)) {
            append(new StreamEvent.Token(piece));
        }
    }

    /**
     * Queues the event, merging a token into a token queued just before it; returns whether it is
     * to be written at once (the attempt's first token when {@link #firstTokenAtOnce}, or no window).
     */
    private boolean enqueue(StreamEvent event) {
        synchronized (answer) {
            if (event instanceof StreamEvent.Token token) {
                if (!firstTokenQueued && firstTokenAtOnce) {
                    firstTokenQueued = true;
                    queueToken(token);
                    return true;
                }
                firstTokenQueued = true;
                if (tokenLast && lastTokenLength() + token.text().length() <= limits.textChars()) {
                    merge(token);
                } else {
                    queueToken(token);
                }
            } else {
                sealMergedToken();
                pending.add(event);
            }
            if (!window.isPositive()) {
                return true;
            }
            if (flushTimer == null && timer != null) {
                try {
                    flushTimer = timer.schedule(
                            () -> Thread.ofVirtual().name("event-flush").start(this::flush),
                            window.toNanos(),
                            TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    return true; // the runner is closing: write at once
                }
            }
            return false;
        }
    }

    /** Queues the token as a new event that later tokens may merge into (the caller holds {@link #answer}). */
    private void queueToken(StreamEvent.Token token) {
        sealMergedToken();
        pending.add(token);
        tokenLast = true;
    }

    private int lastTokenLength() {
        return mergedText != null
                ? mergedText.length()
                : ((StreamEvent.Token) pending.getLast()).text().length();
    }

    private void merge(StreamEvent.Token token) {
        if (mergedText == null) {
            mergedText = new StringBuilder(((StreamEvent.Token) pending.getLast()).text());
        }
        mergedText.append(token.text());
    }

    /** Puts the merged text into the last pending token; nothing merges into it any more (the caller holds {@link #answer}). */
    private void sealMergedToken() {
        if (mergedText != null) {
            pending.set(pending.size() - 1, new StreamEvent.Token(mergedText.toString()));
            mergedText = null;
        }
        tokenLast = false;
    }

    /** Takes every queued event (the caller holds {@link #writing}). */
    private List<StreamEvent> takePending() {
        synchronized (answer) {
            if (flushTimer != null) {
                flushTimer.cancel(false);
                flushTimer = null;
            }
            sealMergedToken();
            List<StreamEvent> batch = List.copyOf(pending);
            pending.clear();
            return batch;
        }
    }

    /** Writes the queued events as one batch; never throws (a refusal or a Redis failure closes the sink). */
    void flush() {
        writing.lock();
        try {
            List<StreamEvent> batch = takePending();
            if (batch.isEmpty() || closedBy.get() != null) {
                return;
            }
            AttemptOutcome outcome = write(() -> writer.append(batch));
            if (!outcome.isOpen()) {
                close(outcome);
            }
        } finally {
            writing.unlock();
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

    /**
     * @throws AgentException {@code tool_call_too_large} when the call does not fit in one event
     *     ({@code max-event-bytes}): cut, its arguments would not be JSON
     */
    @Override
    public void toolCall(String id, String name, String arguments) {
        StreamEvent.ToolCall call = new StreamEvent.ToolCall(id, name, arguments);
        if (!limits.fits(call)) {
            throw new AgentException(
                    "tool_call_too_large",
                    "The model's call of a tool is over " + limits.maxEventBytes() + " bytes (max-event-bytes)",
                    false);
        }
        if (!isClosed()) {
            append(call);
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

    /**
     * Queues the event and writes it when its batch is due. Never throws: a refusal or a Redis
     * failure closes the sink so the agent stops.
     */
    void append(StreamEvent event) {
        if (closedBy.get() == null) {
            StreamEvent fitted = limits.fit(event);
            record(fitted);
            if (enqueue(fitted)) {
                flush();
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
        writing.lock();
        try {
            List<StreamEvent> before = takePending();
            // Events queued after the sink closed are not written; a full answer still writes them.
            List<StreamEvent> kept = closedBy.get() == null ? before : List.of();
            AttemptOutcome outcome = write(() -> writer.finish(kept, fitted, answer()));
            close(outcome);
            return outcome;
        } finally {
            writing.unlock();
        }
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
