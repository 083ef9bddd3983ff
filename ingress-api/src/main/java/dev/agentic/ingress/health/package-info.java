/** Health, liveness and readiness endpoints. */
@NullMarked
package dev.agentic.ingress.health;

import org.jspecify.annotations.NullMarked;
