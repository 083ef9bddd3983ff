/** The worker application: consumes jobs from the lane streams and runs agents on them. */
@NullMarked
package dev.agentic.worker;

import org.jspecify.annotations.NullMarked;
