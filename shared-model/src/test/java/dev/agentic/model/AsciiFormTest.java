package dev.agentic.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Each hand-written check agrees with the regular expression it replaced, on the forms' own
 * examples, their edge cases and random mutations of them (a fuzz with a time budget).
 */
class AsciiFormTest {
    private static final long BUDGET_NANOS = 1_500_000_000L;

    private record Form(String name, Pattern regex, Predicate<String> check, List<String> seeds) {}

    private static final String KEY_ID = "0123456789abcdef";

    private static final List<Form> FORMS = List.of(
            new Form(
                    "uuid",
                    Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
                    AsciiForm::isLowercaseUuid,
                    List.of(UUID.randomUUID().toString(), "00000000-0000-0000-0000-000000000000")),
            new Form(
                    "key id",
                    Pattern.compile("[0-9a-f]{16}"),
                    s -> AsciiForm.isLowerHex(s, 16, 16),
                    List.of(KEY_ID, "ffffffffffffffff")),
            new Form(
                    "digest",
                    Pattern.compile("[0-9a-f]{16,128}"),
                    s -> AsciiForm.isLowerHex(s, 16, 128),
                    List.of(KEY_ID, "a".repeat(128), "b".repeat(129))),
            new Form(
                    "instance id",
                    Pattern.compile("[A-Za-z0-9_-]{1,64}"),
                    s -> AsciiForm.isToken(s, 1, 64),
                    List.of("ingress-1", "A_b-9", "x".repeat(64), "y".repeat(65))),
            new Form(
                    "tenant",
                    Pattern.compile(RedisKeys.TENANT_PATTERN),
                    AsciiForm::isTenantName,
                    List.of("public", "t", "9a_b-c", "-no", "_no", "Upper", "a".repeat(64), "a".repeat(65))),
            new Form(
                    "day",
                    Pattern.compile("\\d{4}-\\d{2}-\\d{2}"),
                    s -> AsciiForm.hasDigitShape(s, "9999-99-99"),
                    List.of("2026-12-03", "2026-1-03", "20261203")),
            new Form(
                    "month",
                    Pattern.compile("\\d{4}-\\d{2}"),
                    s -> AsciiForm.hasDigitShape(s, "9999-99"),
                    List.of("2026-12", "2026-123")),
            new Form(
                    "api key",
                    Pattern.compile("agk_([0-9a-f]{16})_([A-Za-z0-9_-]{16,128})"),
                    AsciiForm::isApiKey,
                    List.of(
                            "agk_" + KEY_ID + "_" + "s".repeat(16),
                            "agk_" + KEY_ID + "_" + "_-Az09".repeat(22).substring(0, 128),
                            "agk_" + KEY_ID + "_" + "s".repeat(129),
                            "agk_" + KEY_ID + "__" + "s".repeat(20))),
            new Form(
                    "stream id",
                    Pattern.compile("(\\d{1,19})-(\\d{1,19})"),
                    AsciiFormTest::parsesAsEventId,
                    List.of("1700000000000-0", "0-0", "1234567890123456789-1", "12345678901234567890-1")));

    /** The alphabet mutations draw from: every class the forms use, their edges and non-ASCII look-alikes. */
    private static final String ALPHABET = "0189afgzAFZ-_ .:/\n\u0660\u00e9\uff10%{}";

    @Test
    void everyFormAcceptsItsOwnExamplesAndAgreesWithItsRegexOnThem() {
        for (Form form : FORMS) {
            for (String seed : form.seeds()) {
                assertThat(form.check().test(seed))
                        .as("%s: %s", form.name(), seed)
                        .isEqualTo(form.regex().matcher(seed).matches());
            }
            assertThat(form.check().test(form.seeds().getFirst()))
                    .as("%s accepts %s", form.name(), form.seeds().getFirst())
                    .isTrue();
            assertThat(form.check().test(""))
                    .as("%s refuses the empty string", form.name())
                    .isFalse();
        }
    }

    @Test
    void everyFormAgreesWithItsRegexOnRandomMutations() {
        Random random = new Random(42);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int checked = 0;
        int accepted = 0;
        while (System.nanoTime() < deadline || checked < 10_000) {
            Form form = FORMS.get(random.nextInt(FORMS.size()));
            String text = mutate(form.seeds().get(random.nextInt(form.seeds().size())), random);
            boolean expected = form.regex().matcher(text).matches();
            assertThat(form.check().test(text))
                    .as("%s: '%s'", form.name(), text)
                    .isEqualTo(expected);
            checked++;
            accepted += expected ? 1 : 0;
        }
        // Mutations must land on both sides, or the comparison proves little.
        assertThat(accepted).isBetween(checked / 50, checked - checked / 50);
    }

    @Test
    void eventIdsParseTheirPartsAndRefuseOverflow() {
        assertThat(EventId.parse("1700000000000-7")).isEqualTo(new EventId(1_700_000_000_000L, 7));
        assertThat(EventId.parse("9223372036854775807-0").millis()).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> EventId.parse("9223372036854775808-0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> EventId.parse("-1-0")).hasMessageContaining("not a stream id");
        assertThatThrownBy(() -> EventId.parse("1-+2")).hasMessageContaining("not a stream id");
    }

    private static boolean parsesAsEventId(String text) {
        try {
            EventId.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            // The regex accepts 19 digits the long cannot hold; the parser names that out of range.
            return e.getMessage().contains("out of range");
        }
    }

    private static String mutate(String seed, Random random) {
        StringBuilder text = new StringBuilder(seed);
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits; i++) {
            char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            int at = text.isEmpty() ? 0 : random.nextInt(text.length());
            switch (random.nextInt(4)) {
                case 0 -> text.insert(at, c);
                case 1 -> {
                    if (!text.isEmpty()) {
                        text.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    if (!text.isEmpty()) {
                        text.setCharAt(at, c);
                    }
                }
                default -> {
                    // unchanged: the seed itself keeps the accepted side populated
                }
            }
        }
        return text.toString();
    }
}
