/**
 * Queue-depth admission: each lane's consumer-group lag, sampled every second, against a threshold
 * operators can change at run time; refusals are 429 with a Retry-After from the observed drain
 * rate.
 */
@NullMarked
package dev.agentic.ingress.admission;

import org.jspecify.annotations.NullMarked;
