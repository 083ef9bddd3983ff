/**
 * Redis access shared by the ingress and the workers: {@link dev.agentic.redis.RedisSettings}
 * (connections that fail fast while Redis is down), the {@link dev.agentic.redis.JobQueue} and the
 * per-request {@link dev.agentic.redis.EventLog}. Plain Lettuce; each application wires it into
 * Spring.
 */
@NullMarked
package dev.agentic.redis;

import org.jspecify.annotations.NullMarked;
