/** Relays a request's events from Redis to one client: live pub/sub wake-ups, gaps filled from the event log. */
@NullMarked
package dev.agentic.ingress.relay;

import org.jspecify.annotations.NullMarked;
