package dev.agentic.model;

/**
 * What a request consumed, reported in its {@code done} event.
 *
 * @param tokensIn prompt tokens (as counted by the LLM, or estimated for local agents)
 * @param tokensOut generated tokens
 * @param costUsd cost of the call; 0 for local agents and the simulator
 */
public record Usage(long tokensIn, long tokensOut, double costUsd) {
    public static final Usage NONE = new Usage(0, 0, 0);

    public Usage {
        if (tokensIn < 0 || tokensOut < 0 || costUsd < 0) {
            throw new IllegalArgumentException("usage figures must not be negative");
        }
    }
}
