package dev.agentic.worker.agent;

import dev.agentic.model.Usage;

/**
 * How an agent's answer ended.
 *
 * @param finishReason {@code stop}, {@code length}, ... as an OpenAI-style provider reports it
 */
public record AgentResult(Usage usage, String finishReason) {}
