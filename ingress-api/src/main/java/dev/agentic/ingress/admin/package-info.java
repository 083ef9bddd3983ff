/** Operators' endpoints: dead letters. Off unless {@code agentic.ingress.admin-token} is set. */
@NullMarked
package dev.agentic.ingress.admin;

import org.jspecify.annotations.NullMarked;
