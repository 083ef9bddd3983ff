package dev.agentic.worker.consumer;

import dev.agentic.model.CachedAnswer;
import dev.agentic.model.Job;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.ResponseCacheKey;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores finished answers in the response cache, from which the ingress serves identical queries
 * without a worker. Only answers of the configured agents, of requests without a session (whose
 * answers depend on the conversation), are stored. The cache is an optimisation: a failure to store
 * is logged and forgotten.
 */
public final class ResponseCacheWriter {
    private static final Logger log = LoggerFactory.getLogger(ResponseCacheWriter.class);
    /** Answers longer than this (in characters of event data) are not cached. */
    static final int MAX_CACHED_CHARS = 256 * 1024;

    public static final ResponseCacheWriter DISABLED = new ResponseCacheWriter(null, Set.of(), Duration.ZERO, null);

    private final @Nullable RedisLink redis;
    private final Set<String> agents;
    private final Duration ttl;
    private final @Nullable Clock clock;

    private ResponseCacheWriter(@Nullable RedisLink redis, Set<String> agents, Duration ttl, @Nullable Clock clock) {
        this.redis = redis;
        this.agents = Set.copyOf(agents);
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * @param agents the agents whose answers are stored
     * @param ttl how long an answer is served; zero stores nothing
     */
    public static ResponseCacheWriter create(RedisLink redis, Set<String> agents, Duration ttl, Clock clock) {
        return ttl.isPositive() && !agents.isEmpty() ? new ResponseCacheWriter(redis, agents, ttl, clock) : DISABLED;
    }

    /**
     * Where the job's answer would be stored, read before the agent runs (so an answer computed
     * while a document was ingested is filed under the knowledge it was computed from); null when
     * it is not cached.
     */
    @Nullable
    String keyFor(Job job) {
        if (redis == null
                || !agents.contains(job.agent())
                || job.sessionId() != null
                || (job.chat() != null && job.chat().hasParameters())) {
            return null;
        }
        try {
            return ResponseCacheKey.of(redis.sync(), job.tenant(), job.agent(), job.query());
        } catch (RedisException | NumberFormatException e) {
            log.debug("Query(id={}) not cacheable: {}", job.id(), e.getMessage());
            return null;
        }
    }

    void store(String key, Job job, List<CachedAnswer.Event> events, String answer, String finishReason) {
        if (redis == null || clock == null) {
            return;
        }
        try {
            CachedAnswer cached = new CachedAnswer(job.id(), clock.millis(), events, answer, finishReason);
            redis.sync().set(key, WireCodec.encodeCachedAnswer(cached), SetArgs.Builder.px(ttl.toMillis()));
        } catch (RedisException e) {
            log.info("Query(id={}) answer not cached: {}", job.id(), e.getMessage());
        }
    }
}
