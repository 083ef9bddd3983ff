/** Operators' endpoints: queue stats, live admission thresholds, dead letters (role {@code operator}). */
@NullMarked
package dev.agentic.ingress.admin;

import org.jspecify.annotations.NullMarked;
