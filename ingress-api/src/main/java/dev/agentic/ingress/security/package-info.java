/**
 * API keys, roles and tenants. {@link dev.agentic.ingress.security.AuthInterceptor} authenticates
 * every {@code /api/**} call except health, checks the handler's {@link
 * dev.agentic.ingress.security.RequiresRole} and leaves the {@link dev.agentic.ingress.security.Caller}
 * on the request for everything after it.
 */
@NullMarked
package dev.agentic.ingress.security;

import org.jspecify.annotations.NullMarked;
