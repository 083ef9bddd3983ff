/** What the ingress exports to Prometheus beyond the meters its parts register themselves. */
@NullMarked
package dev.agentic.ingress.metrics;

import org.jspecify.annotations.NullMarked;
