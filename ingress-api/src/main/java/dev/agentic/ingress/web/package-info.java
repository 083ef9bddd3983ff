/** The HTTP edge: problem+json for every refusal, request body limits. */
@NullMarked
package dev.agentic.ingress.web;

import org.jspecify.annotations.NullMarked;
