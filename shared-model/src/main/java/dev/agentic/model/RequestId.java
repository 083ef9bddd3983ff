package dev.agentic.model;

import java.util.UUID;

/** Request ids: random UUIDs; anything else a client sends is rejected before it reaches Redis. */
public final class RequestId {
    private RequestId() {}

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** True for ids of the form this system hands out; guards key construction against injection. */
    public static boolean isValid(String candidate) {
        return AsciiForm.isLowercaseUuid(candidate);
    }
}
