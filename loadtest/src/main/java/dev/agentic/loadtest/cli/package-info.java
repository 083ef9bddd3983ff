/**
 * The client side of {@code bin/agentic}: {@code query} and {@code ingest} over HTTP, and the
 * rendering of an answer's event stream for people. Runs from the loadtest jar (see {@link
 * dev.agentic.loadtest.cli.AgenticCli}).
 */
@NullMarked
package dev.agentic.loadtest.cli;

import org.jspecify.annotations.NullMarked;
