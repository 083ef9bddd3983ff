package dev.agentic.worker.agent;

/** An agent type, e.g. {@code math}. Implementations must be thread-safe: jobs run concurrently. */
public interface Agent {

    /** The {@code agent_type} clients ask for. */
    String name();

    /**
     * Answers one request, streaming tokens and tool calls into {@code sink} as they happen.
     *
     * @return how the answer ended and what it cost
     * @throws AgentException for failures the client should hear about in words
     * @throws InterruptedException when the job is cancelled or the worker shuts down
     */
    AgentResult run(AgentRequest request, EventSink sink) throws InterruptedException;
}
