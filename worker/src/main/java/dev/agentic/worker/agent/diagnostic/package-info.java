/** The opt-in {@code diagnostic} agent: failures, long, computing and flooding jobs on request. */
@NullMarked
package dev.agentic.worker.agent.diagnostic;

import org.jspecify.annotations.NullMarked;
