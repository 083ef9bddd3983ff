/**
 * The consumer loop ({@link dev.agentic.worker.consumer.JobConsumer}) and the per-job lifecycle
 * ({@link dev.agentic.worker.consumer.JobRunner}): start event, agent, exactly one terminal event,
 * then XACK.
 */
@NullMarked
package dev.agentic.worker.consumer;

import org.jspecify.annotations.NullMarked;
