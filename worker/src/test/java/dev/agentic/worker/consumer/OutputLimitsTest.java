package dev.agentic.worker.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.StreamEvent;
import org.junit.jupiter.api.Test;

class OutputLimitsTest {
    private final OutputLimits limits = new OutputLimits(4096, 1_000_000);

    /** A control character: JSON escapes it in six bytes, the most any character takes. */
    private static final String WIDEST = "\u0001";

    @Test
    void keepsATokenOfAsManyWidestCharactersAsAlwaysFitAndItFits() {
        StreamEvent token = new StreamEvent.Token(WIDEST.repeat(limits.textChars()));

        assertThat(limits.fit(token)).isSameAs(token);
        assertThat(OutputLimits.bytes(token)).isLessThanOrEqualTo(limits.maxEventBytes());
    }

    @Test
    void measuresATokenPastTheBoundAndKeepsItWhenItsBytesFit() {
        StreamEvent plain = new StreamEvent.Token("a".repeat(limits.textChars() + 1));
        StreamEvent widest = new StreamEvent.Token(WIDEST.repeat(limits.textChars() + 1));

        assertThat(limits.fit(plain)).isSameAs(plain);
        assertThat(limits.fit(widest)).isSameAs(widest);
    }

    @Test
    void measuresATokenPastTheBoundAndCutsItWhenItsBytesDoNotFit() {
        // 700 characters: at three bytes each (UTF-8's most) 2,100 bytes would fit; JSON takes 4,211.
        StreamEvent token = new StreamEvent.Token(WIDEST.repeat(700));
        assertThat(OutputLimits.bytes(token)).isGreaterThan(limits.maxEventBytes());

        StreamEvent fitted = limits.fit(token);

        assertThat(fitted)
                .isInstanceOfSatisfying(
                        StreamEvent.Token.class, cut -> assertThat(cut.text()).endsWith(OutputLimits.MARKER));
        assertThat(OutputLimits.bytes(fitted)).isLessThanOrEqualTo(limits.maxEventBytes());
    }
}
