/** The {@code general} agent: an OpenAI-compatible LLM, with per-session history in Redis. */
@NullMarked
package dev.agentic.worker.agent.general;

import org.jspecify.annotations.NullMarked;
