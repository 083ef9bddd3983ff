/** Worker configuration: the properties record and the beans built from it. */
@NullMarked
package dev.agentic.worker.config;

import org.jspecify.annotations.NullMarked;
