package dev.agentic.model;

import java.util.UUID;
import java.util.regex.Pattern;

/** Request ids: random UUIDs; anything else a client sends is rejected before it reaches Redis. */
public final class RequestId {
    private static final Pattern VALID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private RequestId() {}

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** True for ids of the form this system hands out; guards key construction against injection. */
    public static boolean isValid(String candidate) {
        return VALID.matcher(candidate).matches();
    }
}
