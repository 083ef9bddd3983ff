package dev.agentic.ingress.query;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.CachedAnswer;
import dev.agentic.model.EventType;
import dev.agentic.model.Job;
import dev.agentic.model.LogText;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.MalformedWireDataException;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.AttemptWriter;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.ResponseCacheKey;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Serves an identical query (same tenant, agent and normalized text; for {@code rag} also the same
 * knowledge version) from the answers workers stored, without a worker. A hit becomes an ordinary
 * request: its events (the cached ones, then a {@code metadata} event with {@code cached: true} and
 * a {@code done} with zero usage) are written to its own event log, so streaming, JSON answers,
 * status and resume work exactly as for an answer a worker writes.
 */
@Component
class ResponseCache {
    private static final Logger log = LoggerFactory.getLogger(ResponseCache.class);
    /** The worker name in the {@code start} event of an answer served from the cache. */
    static final String WORKER = "response-cache";

    private final RedisLink redis;
    private final EventLog events;
    private final MeterRegistry meters;
    private final boolean enabled;

    ResponseCache(RedisLink redis, EventLog events, MeterRegistry meters, IngressProperties properties) {
        this.enabled = properties.ingress().responseCache();
        this.redis = redis;
        this.events = events;
        this.meters = meters;
    }

    /** The stored answer to the job's query, if there is one (and the cache is on). */
    Optional<CachedAnswer> find(Job job) {
        if (!enabled || job.sessionId() != null) {
            return Optional.empty();
        }
        Optional<CachedAnswer> found = Optional.empty();
        try {
            String stored = redis.sync().get(ResponseCacheKey.of(redis.sync(), job.tenant(), job.agent(), job.query()));
            if (stored != null) {
                found = Optional.of(WireCodec.decodeCachedAnswer(stored));
            }
        } catch (RedisException | NumberFormatException | MalformedWireDataException e) {
            // The cache only saves work: without it the query goes to a worker (and a dead Redis
            // gets its 503 from the admission that follows).
            log.warn("Query(id={}) not looked up in the response cache: {}", job.id(), LogText.safe(e.toString()));
        }
        meters.counter("agentic.ingress.cache", "agent", job.agent(), "result", found.isPresent() ? "hit" : "miss")
                .increment();
        return found;
    }

    /**
     * Records the job's request and answers it with the cached answer, in one batch after the
     * {@code queued} event.
     *
     * @param relayChannel this instance's relay channel, where the request's events are to go
     * @return the request's {@code queued} event when this call opened it; null otherwise
     */
    @Nullable
    LoggedEvent serve(Job job, CachedAnswer cached, String relayChannel) {
        LoggedEvent queued = events.open(job, relayChannel);
        AttemptWriter writer = events.attempt(job.id(), 1, Duration.ZERO);
        List<StreamEvent> batch = new ArrayList<>();
        batch.add(new StreamEvent.Start(WORKER, 1));
        for (CachedAnswer.Event event : cached.events()) {
            Optional<EventType> type = EventType.fromWire(event.type());
            if (type.isPresent()) {
                batch.add(WireCodec.decodeEvent(type.get(), event.data()));
            }
        }
        batch.add(new StreamEvent.Metadata(Map.of(
                "cached",
                true,
                "cached_from",
                cached.sourceRequestId(),
                "cached_at",
                Instant.ofEpochMilli(cached.createdAtMs()).toString())));
        writer.finish(batch, new StreamEvent.Done(Usage.NONE, cached.finishReason()), cached.answer());
        log.debug("Query(id={}, tenant={}, agent={}) answered from the cache", job.id(), job.tenant(), job.agent());
        return queued;
    }
}
