package dev.agentic.model;

/**
 * A Redis stream entry id ({@code <millis>-<sequence>}); the event log's ids are the SSE {@code id:}
 * values, so they order events and detect gaps and duplicates.
 */
public record EventId(long millis, long sequence) implements Comparable<EventId> {
    /** Sorts before every real entry: "read the log from the start". */
    public static final EventId ZERO = new EventId(0, 0);

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
        int dash = text.indexOf('-');
        if (!isDigits(text, 0, dash) || !isDigits(text, dash + 1, text.length())) {
            throw new IllegalArgumentException("not a stream id: " + abbreviate(text));
        }
        try {
            return new EventId(Long.parseLong(text, 0, dash, 10), Long.parseLong(text, dash + 1, text.length(), 10));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("stream id out of range: " + abbreviate(text), e);
        }
    }

    /** 1 to 19 ASCII digits from {@code from} to {@code to} (what a stream id's part may be). */
    private static boolean isDigits(String text, int from, int to) {
        if (from < 0 || to - from < 1 || to - from > 19) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!AsciiForm.isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
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
