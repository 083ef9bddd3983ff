/** Benchmarks that print figures against a baseline measured in the same run. */
@NullMarked
package dev.agentic.loadtest.bench;

import org.jspecify.annotations.NullMarked;
