package dev.agentic.ingress.limits;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Text from outside (here a live limit written straight into Redis) never forges a log line. */
class LiveLimitsLogTest {
    @Test
    void aBadLiveValueWithLineBreaksIsLoggedOnOneLine() {
        Logger logger = (Logger) LoggerFactory.getLogger(TenantLimits.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            new TenantLimits(100, 200, 0, 1000, 0, 0)
                    .overriddenBy(Map.of("default.burst", "5\r\nINFO forged line\u001b[2J"), "default.");
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).hasSize(1);
        assertThat(appender.list.get(0).getFormattedMessage())
                .contains("forged line")
                .doesNotContain("\r", "\n", "\u001b");
    }
}
