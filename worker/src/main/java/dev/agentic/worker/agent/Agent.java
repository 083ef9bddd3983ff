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

    /**
     * True if the agent computes on the CPU for most of its run (it then runs on the worker's small
     * pool of platform threads, {@code agentic.worker.cpu-concurrency}); false if it mostly waits
     * (for an LLM, a store, the network), so it runs on a virtual thread and a worker can hold
     * hundreds of them. An agent that may compute for long must answer true: a computing virtual
     * thread is never preempted and would hold one of the few carrier threads every other job needs.
     */
    default boolean computes() {
        return false;
    }
}
