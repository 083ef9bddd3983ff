package dev.agentic.model;

import java.util.Locale;

/** Queue lanes: each has its own stream; workers prefer {@code interactive}. */
public enum Lane {
    INTERACTIVE,
    BATCH;

    /** The lane's name on the wire and in key names. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Lane fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
