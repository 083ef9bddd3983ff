/** The ingress application: accepts queries, enqueues them, relays their events. No agent logic. */
@NullMarked
package dev.agentic.ingress;

import org.jspecify.annotations.NullMarked;
