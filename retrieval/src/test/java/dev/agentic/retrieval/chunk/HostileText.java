package dev.agentic.retrieval.chunk;

import java.util.Random;

/**
 * Generated hostile documents: seeded random mixes of heading markers, runs of spaces and tabs,
 * carriage returns, backtick and tilde fences, very long lines and words, deep list and quote
 * prefixes, runs of sentence punctuation and unicode (surrogate pairs, lone surrogates, line
 * separators, combining marks). The same seed and size give the same text.
 */
final class HostileText {
    private static final String[] UNICODE = {
        "\uD83D\uDE00",
        "\uD83E\uDD16",
        "\uD800",
        "\uDC00",
        "\u2028",
        "\u2029",
        "\u0085",
        "\u00A0",
        "\u3000",
        "\u0301",
        "\u200B",
        "\uFEFF",
        "漢字",
        "ß",
        "İ",
        "\u0000",
        "\u000B",
        "\f"
    };

    private static final String MARKERS = "#`~ \t\r\n>-*";
    private static final String PUNCTUATION = ".?!…。\"')";

    private final Random random;
    private final StringBuilder text = new StringBuilder();

    private HostileText(long seed) {
        this.random = new Random(seed);
    }

    /** About {@code size} characters (never more than {@code size}). */
    static String of(long seed, int size) {
        HostileText hostile = new HostileText(seed);
        while (hostile.text.length() < size) {
            hostile.piece(size);
        }
        hostile.text.setLength(size);
        return hostile.text.toString();
    }

    private void piece(int size) {
        int longest = Math.max(16, size / 4);
        switch (random.nextInt(12)) {
            case 0 -> headingBomb(longest);
            case 1 -> fence(longest);
            case 2 -> repeat(" \t".charAt(random.nextInt(2)), random.nextInt(longest));
            case 3 -> text.append(random.nextBoolean() ? "\r\n" : random.nextBoolean() ? "\r" : "\n\n");
            case 4 -> longLine(longest);
            case 5 -> repeat('x', random.nextInt(longest)); // one long word
            case 6 -> prefixes();
            case 7 -> punctuation(longest);
            case 8 -> unicode();
            case 9 -> text.append("# Title ").append(random.nextInt(100)).append(" #\n");
            case 10 ->
                text.append("Plain sentence number ").append(random.nextInt()).append(". ");
            default -> repeat(MARKERS.charAt(random.nextInt(MARKERS.length())), 1 + random.nextInt(64));
        }
    }

    /** {@code #}, many spaces or tabs, a carriage return: cubic for {@code (.*?)(?:[ \t]+#+)?[ \t]*$}. */
    private void headingBomb(int longest) {
        repeat(' ', random.nextInt(5));
        repeat('#', 1 + random.nextInt(7));
        repeat(random.nextBoolean() ? ' ' : '\t', random.nextInt(longest));
        if (random.nextBoolean()) {
            repeat('#', random.nextInt(4));
            repeat(' ', random.nextInt(longest / 4 + 1));
        }
        text.append(random.nextBoolean() ? "\r" : "x\r").append(random.nextBoolean() ? "\n" : "");
    }

    private void fence(int longest) {
        char marker = random.nextBoolean() ? '`' : '~';
        repeat(' ', random.nextInt(5));
        repeat(marker, 2 + random.nextInt(random.nextBoolean() ? 4 : longest));
        if (random.nextBoolean()) {
            repeat(random.nextBoolean() ? ' ' : marker, random.nextInt(longest));
        }
        text.append(random.nextBoolean() ? "\r\n" : "\n");
    }

    private void longLine(int longest) {
        int end = text.length() + random.nextInt(longest);
        while (text.length() < end) {
            text.append(random.nextBoolean() ? "a " : "word").append(random.nextInt(10) == 0 ? ". " : "");
        }
    }

    private void prefixes() {
        int depth = random.nextInt(2_000);
        for (int i = 0; i < depth; i++) {
            text.append(
                    switch (random.nextInt(4)) {
                        case 0 -> "> ";
                        case 1 -> "- ";
                        case 2 -> "1. ";
                        default -> "  ";
                    });
        }
        text.append("item\n");
    }

    private void punctuation(int longest) {
        int count = random.nextInt(longest);
        for (int i = 0; i < count; i++) {
            text.append(PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length())));
            if (random.nextInt(8) == 0) {
                text.append(random.nextBoolean() ? ' ' : 'A');
            }
        }
    }

    private void unicode() {
        int count = 1 + random.nextInt(200);
        for (int i = 0; i < count; i++) {
            text.append(UNICODE[random.nextInt(UNICODE.length)]);
        }
    }

    private void repeat(char c, int count) {
        text.repeat(c, count);
    }
}
