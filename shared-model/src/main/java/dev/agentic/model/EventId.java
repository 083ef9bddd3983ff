package dev.agentic.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Redis stream entry id ({@code <millis>-<sequence>}); the event log's ids are the SSE {@code id:}
 * values, so they order events and detect gaps and duplicates.
 */
public record EventId(long millis, long sequence) implements Comparable<EventId> {
    /** Sorts before every real entry: "read the log from the start". */
    public static final EventId ZERO = new EventId(0, 0);

    private static final Pattern FORM = Pattern.compile("(\\d{1,19})-(\\d{1,19})");

    public EventId {
        if (millis < 0 || sequence < 0) {
            throw new IllegalArgumentException("negative stream id part");
        }
    }

    /**
     * Parses {@code 1700000000000-0}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static EventId parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a stream id: " + abbreviate(text));
        }
        try {
            return new EventId(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("stream id out of range: " + abbreviate(text), e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    @Override
    public int compareTo(EventId other) {
        int byMillis = Long.compare(millis, other.millis);
        return byMillis != 0 ? byMillis : Long.compare(sequence, other.sequence);
    }

    public boolean isAfter(EventId other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return millis + "-" + sequence;
    }
}
