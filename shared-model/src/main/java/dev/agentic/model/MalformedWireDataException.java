package dev.agentic.model;

import org.jspecify.annotations.Nullable;

/** Data read from Redis that no version of this system could have written. */
public final class MalformedWireDataException extends RuntimeException {
    public MalformedWireDataException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
