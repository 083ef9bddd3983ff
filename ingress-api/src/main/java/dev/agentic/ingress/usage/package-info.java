/** The caller tenant's usage (tokens and cost per day and agent) as the workers recorded it. */
@NullMarked
package dev.agentic.ingress.usage;

import org.jspecify.annotations.NullMarked;
