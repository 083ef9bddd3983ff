package dev.agentic.loadtest.llmsim;

/**
 * Counters of the {@link LlmSimulator}'s chat requests ({@code POST /v1/chat/completions}).
 *
 * @param active requests in flight now (holding a concurrency slot)
 * @param completed requests and streams that ran to their end
 * @param cancelled requests and streams that stopped early: client went away, or the simulator closed
 * @param rejected requests answered 429 because {@code maxConcurrency} were already in flight
 */
public record SimulatorStats(int active, long completed, long cancelled, long rejected) {}
