/**
 * The {@code math} agent: arithmetic with bounded work per input ({@link
 * dev.agentic.worker.agent.math.MathLimits}).
 */
@NullMarked
package dev.agentic.worker.agent.math;

import org.jspecify.annotations.NullMarked;
