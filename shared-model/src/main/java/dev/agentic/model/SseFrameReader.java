package dev.agentic.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import org.jspecify.annotations.Nullable;

/**
 * Reads an SSE stream frame by frame, as the HTML standard parses it: {@code field: value} lines, a
 * blank line ends a frame, several {@code data:} lines join with {@code \n}, lines starting with
 * {@code :} are comments (the ingress's heartbeats) and are counted, unknown fields and {@code
 * retry:} are skipped. The one SSE parser of the project: the test client and the command-line
 * client both read through it.
 */
public final class SseFrameReader {
    private final Iterator<String> lines;
    private int comments;

    /** Reads lines from {@code lines} (without their line terminators). */
    public SseFrameReader(Iterator<String> lines) {
        this.lines = lines;
    }

    /** Reads from {@code reader}; an {@link IOException} surfaces as {@link UncheckedIOException}. */
    public static SseFrameReader of(BufferedReader reader) {
        return new SseFrameReader(reader.lines().iterator());
    }

    /** The next frame, or null at the end of the stream. */
    public @Nullable SseFrame next() {
        String id = null;
        String event = "message";
        StringBuilder data = new StringBuilder();
        boolean any = false;
        boolean hasData = false;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (any) {
                    return new SseFrame(id, event, data.toString());
                }
                continue;
            }
            if (line.startsWith(":")) {
                comments++;
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : withoutOneLeadingSpace(line.substring(colon + 1));
            switch (field) {
                case "id" -> id = value;
                case "event" -> event = value;
                case "data" -> {
                    if (hasData) {
                        data.append('\n');
                    }
                    data.append(value);
                    hasData = true;
                }
                default -> {
                    continue; // retry: and unknown fields
                }
            }
            any = true;
        }
        return null; // a frame cut off before its blank line is incomplete: dropped, as the standard says
    }

    /** Comment lines (heartbeats) read so far. */
    public int comments() {
        return comments;
    }

    /** The rest of the input as text, line by line (the body of a response that is not SSE). */
    public String remainingText() {
        StringBuilder text = new StringBuilder();
        lines.forEachRemaining(line -> text.append(line).append('\n'));
        return text.toString();
    }

    private static String withoutOneLeadingSpace(String value) {
        return value.startsWith(" ") ? value.substring(1) : value;
    }
}
