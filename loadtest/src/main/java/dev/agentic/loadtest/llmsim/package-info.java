/**
 * An OpenAI-compatible LLM <em>simulator</em> (not a model): a small HTTP server that speaks the
 * OpenAI/vLLM chat-completions wire format and answers with deterministic filler tokens at a
 * configurable pace, so the system can be run and load-tested without a real model. Start it with
 * {@link dev.agentic.loadtest.llmsim.LlmSimulator#start} or from the command line via {@link
 * dev.agentic.loadtest.llmsim.LlmSimulator#main}.
 */
@NullMarked
package dev.agentic.loadtest.llmsim;

import org.jspecify.annotations.NullMarked;
