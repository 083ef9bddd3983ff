package dev.agentic.ingress.query;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RequestId;
import dev.agentic.model.StreamEvent;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.JobQueue;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** Checks a query against the ingress's rules and puts it on its lane. */
@Service
class QueryService {
    private static final Logger log = LoggerFactory.getLogger(QueryService.class);

    private final IngressProperties.Ingress config;
    private final EventLog events;
    private final StatefulRedisConnection<String, String> redis;
    private final Clock clock;
    private final MeterRegistry meters;

    QueryService(
            IngressProperties properties,
            EventLog events,
            StatefulRedisConnection<String, String> redis,
            Clock clock,
            MeterRegistry meters) {
        this.config = properties.ingress();
        this.events = events;
        this.redis = redis;
        this.clock = clock;
        this.meters = meters;
    }

    /** A job for the request, validated but not yet enqueued. */
    Job prepare(QueryRequest request, String tenant) {
        String query = Objects.requireNonNull(request.query()).strip();
        String agent = request.agentType() == null || request.agentType().isBlank()
                ? config.defaultAgent()
                : request.agentType().strip();
        if (!config.agents().contains(agent)) {
            throw refused(new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "unknown_agent",
                    "Unknown agent_type '" + ApiException.printable(agent) + "'",
                    Map.of("known_agents", new TreeSet<>(config.agents()))));
        }
        if (query.length() > config.maxQueryLength()) {
            throw refused(new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "query_too_long",
                    "The query has " + query.length() + " characters; the limit is " + config.maxQueryLength()));
        }
        long now = clock.millis();
        return new Job(
                Job.CURRENT_VERSION,
                RequestId.newId(),
                tenant,
                agent,
                query,
                request.sessionId(),
                Lane.INTERACTIVE,
                now,
                now + config.defaultDeadline().toMillis(),
                null);
    }

    /**
     * Records the request and puts its job on the queue. If the job cannot be queued the request is
     * closed with an error and the client gets 503: nothing is half-accepted.
     */
    void enqueue(Job job) {
        if (!events.open(job)) {
            throw new IllegalStateException("request id collision: " + job.id());
        }
        try {
            JobQueue.enqueue(redis.sync(), job);
        } catch (RedisException e) {
            closeUnqueued(job);
            throw e;
        }
        meters.counter("agentic.ingress.accepted", "agent", job.agent()).increment();
        log.info("Query(id={}, tenant={}, agent={}) queued", job.id(), job.tenant(), job.agent());
    }

    private void closeUnqueued(Job job) {
        try {
            events.finish(
                    job.id(), new StreamEvent.Error("redis_unavailable", "The job could not be queued", true), "");
        } catch (RedisException ignored) {
            // Redis is gone: the request's keys expire with their retention.
        }
    }

    private ApiException refused(ApiException e) {
        meters.counter("agentic.ingress.refused", "reason", e.code()).increment();
        return e;
    }
}
