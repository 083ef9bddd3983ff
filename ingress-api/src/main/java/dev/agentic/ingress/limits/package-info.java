/**
 * Per-tenant limits that hold across every ingress instance, checked together by one Lua script per
 * request: request rate (GCRA), concurrent streams (leases in a sorted set, renewed in one batch per
 * instance) and USD budgets read from the usage ledger. Operators change them at run
 * time through a Redis hash; every instance applies a change within the refresh interval.
 */
@NullMarked
package dev.agentic.ingress.limits;

import org.jspecify.annotations.NullMarked;
