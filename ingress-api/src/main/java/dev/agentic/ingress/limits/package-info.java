/**
 * Per-tenant limits that hold across every ingress instance: request rate (Redisson {@code
 * RRateLimiter}), concurrent streams (Redisson {@code RPermitExpirableSemaphore} with leases the
 * holding instance renews) and USD budgets read from the usage ledger. Operators change them at run
 * time through a Redis hash; every instance applies a change within the refresh interval.
 */
@NullMarked
package dev.agentic.ingress.limits;

import org.jspecify.annotations.NullMarked;
