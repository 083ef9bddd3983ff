/**
 * Worker configuration: the properties record, the beans built from it, and the implementations of
 * the agents' ports (Redis session history and knowledge versions, the lazily opened knowledge base).
 */
@NullMarked
package dev.agentic.worker.config;

import org.jspecify.annotations.NullMarked;
