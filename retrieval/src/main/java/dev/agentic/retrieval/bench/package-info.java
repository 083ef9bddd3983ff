/**
 * The retrieval benchmark, a {@code main} run by hand (not a test): see {@link
 * dev.agentic.retrieval.bench.RetrievalBenchmark}.
 */
@NullMarked
package dev.agentic.retrieval.bench;

import org.jspecify.annotations.NullMarked;
