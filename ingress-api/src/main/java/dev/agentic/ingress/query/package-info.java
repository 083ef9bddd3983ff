/** The query API: accept and enqueue, stream or wait for the answer, report status. */
@NullMarked
package dev.agentic.ingress.query;

import org.jspecify.annotations.NullMarked;
