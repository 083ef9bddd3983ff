/** The knowledge API: documents a tenant ingests for the {@code rag} agent, queued as batch jobs. */
@NullMarked
package dev.agentic.ingress.knowledge;

import org.jspecify.annotations.NullMarked;
