package dev.agentic.worker.agent.diagnostic;

import dev.agentic.model.Usage;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.EventSink;
import dev.agentic.worker.agent.Tokens;
import java.time.Duration;

/**
 * An operator's probe, off by default ({@code agentic.worker.diagnostic-agent=true}): {@code fail}
 * makes the agent throw, as a buggy agent would; {@code sleep <ms>} streams one tick a second for
 * that long (a long job); anything else is echoed back.
 */
public final class DiagnosticAgent implements Agent {
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
        if (query.startsWith("sleep ")) {
            return sleep(Duration.ofMillis(Long.parseLong(query.substring(6).strip())), sink);
        }
        Tokens.split(query).forEach(sink::token);
        return new AgentResult(new Usage(Tokens.estimate(query), Tokens.estimate(query), 0), "stop");
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
}
