/** Ingress configuration: the properties record and the Redis beans. */
@NullMarked
package dev.agentic.ingress.config;

import org.jspecify.annotations.NullMarked;
