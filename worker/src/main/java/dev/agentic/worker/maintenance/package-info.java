/**
 * Housekeeping a worker does besides running jobs: {@link dev.agentic.worker.maintenance.QueueTrimming}
 * trims the lanes' acknowledged history and the dead-letter stream, so Redis holds no job longer
 * than it is needed.
 */
@NullMarked
package dev.agentic.worker.maintenance;

import org.jspecify.annotations.NullMarked;
