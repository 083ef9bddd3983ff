package dev.agentic.model;

import org.jspecify.annotations.Nullable;

/**
 * One Server-Sent Events frame as a client reads it: the {@code id:} (null when the frame has none),
 * the {@code event:} name ({@code message} when absent) and the {@code data:} lines joined by
 * {@code \n}.
 */
public record SseFrame(@Nullable String id, String event, String data) {}
