/**
 * Streaming from an OpenAI-compatible chat endpoint, shared by the agents that call an LLM: tokens
 * go to the sink as they arrive, an interrupt or a closed sink closes the provider stream, a silent
 * provider times out.
 */
@NullMarked
package dev.agentic.worker.agent.llm;

import org.jspecify.annotations.NullMarked;
