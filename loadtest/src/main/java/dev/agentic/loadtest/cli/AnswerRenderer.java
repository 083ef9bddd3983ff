package dev.agentic.loadtest.cli;

import dev.agentic.model.EventType;
import dev.agentic.model.MalformedWireDataException;
import dev.agentic.model.SseFrame;
import dev.agentic.model.SseFrameReader;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Renders an answer's event stream for people: the tokens as text on {@code out} as they arrive,
 * every other event as a short {@code [bracketed]} line on {@code err}. Text is decoded JSON, so any
 * Unicode the agent wrote is printed as it is.
 */
final class AnswerRenderer {
    private static final int TOOL_TEXT = 120;
    private static final int METADATA_TEXT = 160;

    private final PrintStream out;
    private final PrintStream err;
    /** The last text written to {@code out} did not end a line. */
    private boolean midLine;

    private boolean failed;

    AnswerRenderer(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Renders every frame until the stream ends; true if it ended in an {@code error} event. */
    boolean render(SseFrameReader frames) {
        for (SseFrame frame = frames.next(); frame != null; frame = frames.next()) {
            render(frame);
        }
        if (midLine) {
            out.println();
            midLine = false;
        }
        out.flush();
        return failed;
    }

    void render(SseFrame frame) {
        Optional<EventType> type = EventType.fromWire(frame.event());
        if (type.isEmpty()) {
            return; // a newer server's event: nothing to show
        }
        StreamEvent event;
        try {
            event = WireCodec.decodeEvent(type.get(), frame.data());
        } catch (MalformedWireDataException e) {
            note("[" + frame.event() + ": " + truncate(frame.data(), METADATA_TEXT) + "]");
            return;
        }
        switch (event) {
            case StreamEvent.Token t -> text(t.text());
            case StreamEvent.Queued q -> note("[queued on " + q.lane() + "]");
            case StreamEvent.Start s -> note("[started by " + s.worker() + ", attempt " + s.attempt() + "]");
            case StreamEvent.ToolStart t -> note("[" + t.tool() + " <- " + truncate(t.input(), TOOL_TEXT) + "]");
            case StreamEvent.ToolEnd t -> note("[" + t.tool() + " -> " + truncate(t.output(), TOOL_TEXT) + "]");
            case StreamEvent.ToolCall c ->
                note("[call " + c.id() + ": " + c.name() + "(" + truncate(c.arguments(), TOOL_TEXT) + ")]");
            case StreamEvent.Metadata m ->
                note("[metadata " + truncate(WireCodec.toJson(m.values()), METADATA_TEXT) + "]");
            case StreamEvent.Restart r -> note("[restart: attempt " + r.attempt() + " begins; the text above is void]");
            case StreamEvent.Done d ->
                note("[done: " + d.finishReason() + ", tokens in " + d.usage().tokensIn() + " out "
                        + d.usage().tokensOut() + ", cost " + plain(d.usage().costUsd()) + " USD]");
            case StreamEvent.Error e -> {
                note("[error " + e.code() + ": " + e.message() + "]");
                failed = true;
            }
        }
    }

    private void text(String text) {
        out.print(text);
        out.flush();
        if (!text.isEmpty()) {
            midLine = !text.endsWith("\n");
        }
    }

    private void note(String line) {
        if (midLine) {
            out.println();
            out.flush();
            midLine = false;
        }
        err.println(line);
        err.flush();
    }

    /** At most {@code max} code points, then "...". */
    static String truncate(String text, int max) {
        if (text.codePointCount(0, text.length()) <= max) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, max)) + "...";
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
