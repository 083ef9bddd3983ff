package dev.agentic.worker.agent.diagnostic;

import dev.agentic.model.Usage;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.EventSink;
import dev.agentic.worker.agent.Tokens;
import java.time.Duration;

/**
 * An operator's probe, off by default ({@code agentic.worker.diagnostic-agent=true}). Its query
 * chooses how it misbehaves, so the worker's defences can be tried on a real stack:
 *
 * <ul>
 *   <li>{@code fail}: throws an {@link IllegalStateException}, as a buggy agent would;
 *   <li>{@code throw-error} (or {@code throw-error oom}): throws a {@link StackOverflowError} (or an
 *       {@link OutOfMemoryError} with the message {@code diagnostic}), errors that are not
 *       exceptions;
 *   <li>{@code sleep <ms>}: streams one tick a second for that long (a long job that honours
 *       interrupts and a closed sink);
 *   <li>{@code spin <ms>}: computes for that long without looking at its interrupt flag or its
 *       sink (a CPU-bound agent that cannot be stopped);
 *   <li>{@code flood <chars>}: emits a tool output of that many characters and then an answer of
 *       that many characters in 8 KiB tokens, stopping early only when the sink closes;
 *   <li>anything else is echoed back.
 * </ul>
 */
public final class DiagnosticAgent implements Agent {
    private static final int FLOOD_TOKEN_CHARS = 8192;

    /** Its {@code spin} computes without end. */
    @Override
    public boolean computes() {
        return true;
    }

    @Override
    public String name() {
        return "diagnostic";
    }

    @Override
    public AgentResult run(AgentRequest request, EventSink sink) throws InterruptedException {
        String query = request.query().strip();
        if (query.equals("fail")) {
            throw new IllegalStateException("diagnostic agent asked to fail");
        }
        if (query.startsWith("throw-error")) {
            throw query.endsWith("oom") ? new OutOfMemoryError("diagnostic") : new StackOverflowError("diagnostic");
        }
        if (query.startsWith("sleep ")) {
            return sleep(Duration.ofMillis(argument(query)), sink);
        }
        if (query.startsWith("spin ")) {
            return spin(Duration.ofMillis(argument(query)), sink);
        }
        if (query.startsWith("flood ")) {
            return flood(argument(query), sink);
        }
        Tokens.split(query).forEach(sink::token);
        return new AgentResult(new Usage(Tokens.estimate(query), Tokens.estimate(query), 0), "stop");
    }

    private static long argument(String query) {
        return Long.parseLong(query.substring(query.indexOf(' ') + 1).strip());
    }

    private static AgentResult sleep(Duration total, EventSink sink) throws InterruptedException {
        long end = System.nanoTime() + total.toNanos();
        int ticks = 0;
        while (System.nanoTime() < end && !sink.isClosed()) {
            Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            sink.token("tick" + ticks++ + " ");
        }
        return new AgentResult(new Usage(2, ticks, 0), "stop");
    }

    /** Busy until the time is up; deliberately blind to interrupts and to the sink. */
    private static AgentResult spin(Duration total, EventSink sink) {
        long end = System.nanoTime() + total.toNanos();
        long spins = 0;
        while (System.nanoTime() < end) {
            spins++;
        }
        sink.token("spun " + (spins > 0 ? "done" : "none"));
        return new AgentResult(new Usage(2, 1, 0), "stop");
    }

    private static AgentResult flood(long chars, EventSink sink) {
        int toolChars = (int) Math.min(chars, Integer.MAX_VALUE - 16);
        sink.toolStart("flood", String.valueOf(chars));
        sink.toolEnd("flood", "x".repeat(toolChars));
        String piece = "y".repeat(FLOOD_TOKEN_CHARS);
        long written = 0;
        int tokens = 0;
        while (written < chars && !sink.isClosed()) {
            int size = (int) Math.min(FLOOD_TOKEN_CHARS, chars - written);
            sink.token(size == FLOOD_TOKEN_CHARS ? piece : piece.substring(0, size));
            written += size;
            tokens++;
        }
        return new AgentResult(new Usage(2, tokens, 0), "stop");
    }
}
