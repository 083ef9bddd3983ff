package dev.agentic.worker.consumer;

import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one attempt may write: events of at most {@code maxEventBytes} bytes of data (longer text is
 * cut with {@link #MARKER}, longer tokens are split) and an answer of at most {@code maxAnswerChars}.
 *
 * @param maxEventBytes the most UTF-8 bytes of one event's JSON data
 * @param maxAnswerChars the most characters of one answer
 */
public record OutputLimits(int maxEventBytes, int maxAnswerChars) {
    /** Appended to text that was cut. */
    static final String MARKER = "… [truncated]";

    /** The worker's defaults ({@code agentic.worker.max-event-bytes}, {@code max-answer-chars}). */
    public static final OutputLimits DEFAULT = new OutputLimits(64 * 1024, 1_000_000);

    /** Room for an event's JSON around its text (field names, a tool name, ...). */
    private static final int ENVELOPE_BYTES = 512;
    /** The most bytes one character can take in JSON: {@code \\u001f}. */
    private static final int MAX_BYTES_PER_CHAR = 6;

    public OutputLimits {
        if (maxEventBytes < 4 * ENVELOPE_BYTES) {
            throw new IllegalArgumentException("max-event-bytes must be at least " + 4 * ENVELOPE_BYTES);
        }
        if (maxAnswerChars < 1) {
            throw new IllegalArgumentException("max-answer-chars must be positive");
        }
    }

    /** Characters of text that fit in one event whatever they are. */
    int textChars() {
        return (maxEventBytes - ENVELOPE_BYTES) / MAX_BYTES_PER_CHAR;
    }

    /** The token's text in pieces that each fit in one event. */
    List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int to = Math.min(text.length(), from + textChars());
            if (to < text.length() && Character.isHighSurrogate(text.charAt(to - 1))) {
                to--; // never split a surrogate pair
            }
            pieces.add(text.substring(from, to));
            from = to;
        }
        return pieces;
    }

    /** The event as is when it fits, else with its text cut (metadata: long values cut or dropped). */
    StreamEvent fit(StreamEvent event) {
        if (isShortToken(event) || bytes(event) <= maxEventBytes) {
            return event;
        }
        StreamEvent cut = switch (event) {
            case StreamEvent.ToolStart start -> new StreamEvent.ToolStart(cut(start.tool()), cut(start.input()));
            case StreamEvent.ToolEnd end -> new StreamEvent.ToolEnd(cut(end.tool()), cut(end.output()));
            case StreamEvent.ToolCall call -> call; // never cut: RedisEventSink refuses one that does not fit
            case StreamEvent.Error error ->
                new StreamEvent.Error(cut(error.code()), cut(error.message()), error.retryable());
            case StreamEvent.Metadata metadata -> cutMetadata(metadata);
            case StreamEvent.Token token -> new StreamEvent.Token(cut(token.text()));
            case StreamEvent.Queued queued -> queued;
            case StreamEvent.Start start -> start;
            case StreamEvent.Restart restart -> new StreamEvent.Restart(restart.attempt(), cut(restart.reason()));
            case StreamEvent.Done done -> new StreamEvent.Done(done.usage(), cut(done.finishReason()));
        };
        return bytes(cut) <= maxEventBytes || cut.isTerminal()
                ? cut
                : new StreamEvent.Metadata(Map.of("truncated", true));
    }

    /**
     * A token that fits whatever its characters, so it need not be encoded to be measured (most
     * tokens are a few characters): each character takes at most {@link #MAX_BYTES_PER_CHAR} bytes
     * and {@code {"text":""}} far less than {@link #ENVELOPE_BYTES}.
     */
    private boolean isShortToken(StreamEvent event) {
        return event instanceof StreamEvent.Token token && token.text().length() <= textChars();
    }

    private String cut(String text) {
        int keep = textChars() / 2 - MARKER.length();
        if (text.length() <= keep) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(keep - 1)) ? keep - 1 : keep;
        return text.substring(0, end) + MARKER;
    }

    private StreamEvent cutMetadata(StreamEvent.Metadata metadata) {
        Map<String, Object> values = new LinkedHashMap<>();
        int each = Math.max(16, textChars() / 2 / Math.max(1, metadata.values().size()));
        metadata.values().forEach((key, value) -> {
            String text = String.valueOf(value);
            boolean scalar = value instanceof Number || value instanceof Boolean;
            values.put(
                    key.length() > each ? key.substring(0, each) : key,
                    scalar || text.length() <= each ? value : text.substring(0, each) + MARKER);
        });
        values.put("truncated", true);
        return new StreamEvent.Metadata(values);
    }

    /**
     * Whether the event fits as it is. A tool call must: its arguments cut would not be JSON, and no
     * client could run the call.
     */
    boolean fits(StreamEvent event) {
        return bytes(event) <= maxEventBytes;
    }

    static int bytes(StreamEvent event) {
        return WireCodec.encodeData(event).getBytes(StandardCharsets.UTF_8).length;
    }
}
