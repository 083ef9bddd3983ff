/**
 * Wire contracts shared by the ingress and the workers: the {@link dev.agentic.model.Job} record, the
 * sealed {@link dev.agentic.model.StreamEvent} family, the Redis names in {@link
 * dev.agentic.model.RedisKeys} and the {@link dev.agentic.model.WireCodec}. Plain Java: no Spring and
 * no Redis client (the build enforces it).
 */
@NullMarked
package dev.agentic.model;

import org.jspecify.annotations.NullMarked;
