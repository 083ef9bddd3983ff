package dev.agentic.ingress.web;

import dev.agentic.model.LogText;

/**
 * A failure's stack trace for a log line, its message made safe by {@link LogText#safe}: an
 * exception's message may carry client text (a CR/LF would forge a log line).
 */
final class SafeTrace extends RuntimeException {
    private SafeTrace(Throwable failure) {
        super(LogText.safe(failure.toString()), failure.getCause() == null ? null : of(failure.getCause()));
        setStackTrace(failure.getStackTrace());
    }

    static SafeTrace of(Throwable failure) {
        return new SafeTrace(failure);
    }
}
