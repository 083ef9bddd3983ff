/**
 * Agents: what a worker runs for a job. They see the {@link dev.agentic.worker.agent.AgentRequest}
 * and an {@link dev.agentic.worker.agent.EventSink}, never Redis or the web layer (an ArchUnit test
 * holds this).
 */
@NullMarked
package dev.agentic.worker.agent;

import org.jspecify.annotations.NullMarked;
