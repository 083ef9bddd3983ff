package dev.agentic.ingress.query;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.Digests;
import dev.agentic.model.IngestDocument;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.JobQueue;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** Checks a query against the ingress's rules and puts it on its lane. */
@Service
public class QueryService {
    private static final Logger log = LoggerFactory.getLogger(QueryService.class);

    private final IngressProperties.Ingress config;
    private final EventLog events;
    private final StatefulRedisConnection<String, String> redis;
    /**
     * How long a claimed Idempotency-Key without a request is left to the POST that claimed it; a
     * retry meanwhile waits, then takes the key over.
     */
    private static final Duration IDEMPOTENCY_CLAIM_GRACE = Duration.ofSeconds(5);

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

    /**
     * A job for the request, validated but not yet enqueued.
     *
     * @param timeoutHeader the {@code X-Timeout-Ms} header, if sent (the body's {@code timeout_ms} wins)
     */
    Job prepare(QueryRequest request, String tenant, @Nullable String timeoutHeader) {
        String query = Objects.requireNonNull(request.query()).strip();
        String agent = request.agentType() == null || request.agentType().isBlank()
                ? config.defaultAgent()
                : request.agentType().strip();
        if (!config.agents().contains(agent) || IngestDocument.AGENT.equals(agent)) {
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
        requireText("query", query);
        if (request.sessionId() != null) {
            requireText("session_id", request.sessionId());
        }
        long now = clock.millis();
        Duration timeout = timeout(request.timeoutMs(), timeoutHeader);
        return new Job(
                Job.CURRENT_VERSION,
                RequestId.newId(),
                tenant,
                agent,
                query,
                request.sessionId(),
                lane(request.lane()),
                now,
                now + timeout.toMillis(),
                null);
    }

    /**
     * Text goes to agents, LLMs, logs and Redis: control characters other than tab, line feed and
     * carriage return (NUL included), and unpaired UTF-16 surrogates (which JSON's {@code \\ud800}
     * can carry but UTF-8 cannot), are refused rather than silently dropped or replaced.
     */
    private void requireText(String field, String text) {
        int bad = firstForbiddenChar(text);
        if (bad >= 0) {
            throw refused(new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid_characters",
                    field + " contains a control character or an unpaired surrogate at index " + bad,
                    Map.of("field", field, "index", bad)));
        }
    }

    static int firstForbiddenChar(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f);
            boolean lone = Character.isHighSurrogate(c)
                    ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
                    : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
            if (control || lone) {
                return i;
            }
        }
        return -1;
    }

    private Duration timeout(@Nullable Long bodyMs, @Nullable String headerMs) {
        Long millis = bodyMs;
        if (millis == null && headerMs != null) {
            try {
                millis = Long.parseLong(headerMs.strip());
            } catch (NumberFormatException e) {
                throw refused(invalidTimeout("X-Timeout-Ms must be a whole number of milliseconds"));
            }
        }
        if (millis == null) {
            return config.defaultDeadline();
        }
        if (millis < 1 || millis > config.maxDeadline().toMillis()) {
            throw refused(invalidTimeout(
                    "timeout must be between 1 and " + config.maxDeadline().toMillis() + " ms"));
        }
        return Duration.ofMillis(millis);
    }

    private Lane lane(@Nullable String name) {
        if (name == null) {
            return Lane.INTERACTIVE;
        }
        try {
            return Lane.fromWire(name);
        } catch (IllegalArgumentException e) {
            throw refused(
                    new ApiException(HttpStatus.BAD_REQUEST, "unknown_lane", "lane must be 'interactive' or 'batch'"));
        }
    }

    private static ApiException invalidTimeout(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_timeout", detail);
    }

    /**
     * Claims an {@code Idempotency-Key} for {@code newId}.
     *
     * @return the id of the request the key already stands for, or empty when the key is now ours
     */
    Optional<String> claimIdempotencyKey(String tenant, String key, String newId) {
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw refused(new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 255 visible ASCII characters"));
        }
        String redisKey = RedisKeys.idempotency(tenant, Digests.sha256Hex(key));
        String claim = newId + "|" + clock.millis();
        String set = redis.sync().set(redisKey, claim, SetArgs.Builder.nx().ex(config.idempotencyTtl()));
        if ("OK".equals(set)) {
            return Optional.empty();
        }
        while (true) {
            String current = redis.sync().get(redisKey);
            if (current == null) {
                return claimIdempotencyKey(tenant, key, newId); // expired just now
            }
            String existingId =
                    current.substring(0, current.indexOf('|') < 0 ? current.length() : current.indexOf('|'));
            if (RequestId.isValid(existingId) && !events.status(existingId).isEmpty()) {
                return Optional.of(existingId);
            }
            if (claimAge(current).compareTo(IDEMPOTENCY_CLAIM_GRACE) > 0) {
                // Its POST failed before queuing (Redis went down, the instance died): take it over.
                if (takeOver(redisKey, current, claim)) {
                    return Optional.empty();
                }
                continue;
            }
            pauseForClaim(); // the POST that claimed it may still be queuing: give it its grace
        }
    }

    private Duration claimAge(String claim) {
        int bar = claim.indexOf('|');
        return Duration.ofMillis(clock.millis() - (bar < 0 ? 0 : Long.parseLong(claim.substring(bar + 1))));
    }

    private static void pauseForClaim() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.shuttingDown();
        }
    }

    private boolean takeOver(String redisKey, String expected, String claim) {
        Long replaced = redis.sync()
                .eval(
                        "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1 end return 0",
                        io.lettuce.core.ScriptOutputType.INTEGER,
                        new String[] {redisKey},
                        expected,
                        claim);
        return replaced != null && replaced == 1;
    }

    /** Forgets a key whose request could not be queued, so a retry with it can succeed. */
    void releaseIdempotencyKey(String tenant, String key, String id) {
        String redisKey = RedisKeys.idempotency(tenant, Digests.sha256Hex(key));
        try {
            String current = redis.sync().get(redisKey);
            if (current != null && current.startsWith(id + "|")) {
                redis.sync().del(redisKey);
            }
        } catch (RedisException ignored) {
            // It expires with its TTL.
        }
    }

    /**
     * Records the request and puts its job on the queue. If the job cannot be queued the request is
     * closed with an error and the client gets 503: nothing is half-accepted.
     */
    public void enqueue(Job job) {
        // The job first, then its request: if this instance dies in between, the worker that takes
        // the job writes the request itself (it has everything needed), so nothing is half-made.
        JobQueue.enqueue(redis.sync(), job);
        try {
            events.open(job); // false: a worker was faster and opened it already
        } catch (RedisException e) {
            log.warn(
                    "Query(id={}) queued, but its request could not be written: {}; the worker will",
                    job.id(),
                    e.getMessage());
            throw e;
        }
        meters.counter("agentic.ingress.accepted", "agent", job.agent()).increment();
        log.info("Query(id={}, tenant={}, agent={}) queued", job.id(), job.tenant(), job.agent());
    }

    private ApiException refused(ApiException e) {
        meters.counter("agentic.ingress.refused", "reason", e.code()).increment();
        return e;
    }
}
