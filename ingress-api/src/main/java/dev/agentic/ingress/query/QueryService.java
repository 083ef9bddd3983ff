package dev.agentic.ingress.query;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.ChatOptions;
import dev.agentic.model.Digests;
import dev.agentic.model.IngestDocument;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.LogText;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.IdempotencyKeys;
import dev.agentic.redis.JobQueue;
import dev.agentic.redis.RedisLink;
import io.lettuce.core.RedisException;
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
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** Checks a query against the ingress's rules and puts it on its lane. */
@Service
public class QueryService {
    private static final Logger log = LoggerFactory.getLogger(QueryService.class);

    private final IngressProperties.Ingress config;
    private final EventLog events;
    private final RedisLink redis;
    /**
     * How long a claimed Idempotency-Key without a request is left to the POST that claimed it; a
     * retry meanwhile waits, then takes the key over.
     */
    private static final Duration IDEMPOTENCY_CLAIM_GRACE = Duration.ofSeconds(5);

    private final Clock clock;
    private final MeterRegistry meters;

    QueryService(IngressProperties properties, EventLog events, RedisLink redis, Clock clock, MeterRegistry meters) {
        this.config = properties.ingress();
        this.events = events;
        this.redis = redis;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * A job for the request, validated but not yet enqueued.
     *
     * @param chat the chat options of an OpenAI API request; null for any other
     * @param timeoutHeader the {@code X-Timeout-Ms} header, if sent (the body's {@code timeout_ms} wins)
     */
    Job prepare(QueryRequest request, @Nullable ChatOptions chat, String tenant, @Nullable String timeoutHeader) {
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
                TraceContext.currentTraceparent(),
                chat);
    }

    /** A job of the {@code ingest} agent on the batch lane for the document, not yet enqueued. */
    Job prepareIngest(IngestDocument document, String tenant) {
        long now = clock.millis();
        return new Job(
                Job.CURRENT_VERSION,
                RequestId.newId(),
                tenant,
                IngestDocument.AGENT,
                WireCodec.encodeIngest(document),
                null,
                Lane.BATCH,
                now,
                now + config.ingestDeadline().toMillis(),
                TraceContext.currentTraceparent());
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
        String claim = new Claim(newId, clock.millis(), false).value();
        if (IdempotencyKeys.claim(redis.sync(), redisKey, claim, config.idempotencyTtl())) {
            return Optional.empty();
        }
        while (true) {
            String current = IdempotencyKeys.current(redis.sync(), redisKey);
            if (current == null) {
                return claimIdempotencyKey(tenant, key, newId); // expired just now
            }
            Claim existing = Claim.parse(current);
            if (isLive(existing)) {
                return Optional.of(existing.id());
            }
            if (clock.millis() - existing.atMs() > IDEMPOTENCY_CLAIM_GRACE.toMillis()) {
                // Its POST failed before queuing (Redis went down, the instance died): take it over.
                if (IdempotencyKeys.takeOver(redis.sync(), redisKey, current, claim)) {
                    return Optional.empty();
                }
                continue;
            }
            pauseForClaim(); // the POST that claimed it may still be queuing: give it its grace
        }
    }

    /**
     * Whether a claimed key stands for a request that exists or may still run: its request is
     * recorded, or its job was queued and its deadline (plus the grace) has not passed.
     */
    private boolean isLive(Claim claim) {
        if (!RequestId.isValid(claim.id())) {
            return false;
        }
        boolean mayRun = claim.queued()
                && clock.millis() <= claim.atMs() + config.terminalGrace().toMillis();
        return mayRun || !events.status(claim.id()).isEmpty();
    }

    /**
     * An Idempotency-Key's value: the request id, and either when it was claimed or, once its job
     * is queued, the request's deadline ({@code id|millis} or {@code id|deadline|q}).
     */
    record Claim(String id, long atMs, boolean queued) {
        private static final String QUEUED = "q";

        static Claim parse(String value) {
            String[] parts = value.split("\\|", -1);
            long at = 0;
            try {
                at = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
            } catch (NumberFormatException e) {
                // a malformed claim is old: taken over
            }
            return new Claim(parts[0], at, parts.length > 2 && QUEUED.equals(parts[2]));
        }

        String value() {
            return id + "|" + atMs + (queued ? "|" + QUEUED : "");
        }
    }

    private static void pauseForClaim() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.shuttingDown();
        }
    }

    /** Forgets a key whose request could not be queued, so a retry with it can succeed. */
    void releaseIdempotencyKey(String tenant, String key, String id) {
        String redisKey = RedisKeys.idempotency(tenant, Digests.sha256Hex(key));
        try {
            IdempotencyKeys.release(redis.sync(), redisKey, id);
        } catch (RedisException ignored) {
            // It expires with its TTL.
        }
    }

    /**
     * Puts the job on its queue, then records its request. A failure before the job is queued is
     * a {@link RedisException} (nothing was accepted: 503); after it, the request runs, and the
     * client gets 202 with its id ({@link #accepted}). The key claimed for the request is marked
     * queued in the same atomic step as the job is queued, so a retry with it returns this request
     * even before a worker records it, and never waits on a job that was not queued.
     *
     * @param idempotencyKey the request's Idempotency-Key, claimed for it, if any
     * @param relayChannel this instance's relay channel, where the request's events are to go
     * @return the request's {@code queued} event when this call opened it (the log holds only that);
     *     null when a worker was faster
     */
    @Nullable
    LoggedEvent enqueue(Job job, @Nullable String idempotencyKey, String relayChannel) {
        // The job first, then its request: if this instance dies in between, the worker that takes
        // the job writes the request itself (it has everything needed), so nothing is half-made.
        if (idempotencyKey == null) {
            JobQueue.enqueue(redis.sync(), job);
        } else {
            JobQueue.enqueueClaimed(
                    redis.sync(),
                    job,
                    RedisKeys.idempotency(job.tenant(), Digests.sha256Hex(idempotencyKey)),
                    new Claim(job.id(), job.deadlineMs(), true).value());
        }
        LoggedEvent queued;
        try {
            queued = events.open(job, relayChannel); // null: a worker was faster and opened it already
        } catch (RedisException e) {
            log.warn(
                    "Query(id={}) queued, but its request could not be written: {}; the worker will",
                    job.id(),
                    LogText.safe(String.valueOf(e.getMessage())));
            throw accepted(job.id(), "its stream could not be started");
        }
        meters.counter("agentic.ingress.accepted", "agent", job.agent()).increment();
        log.debug("Query(id={}, tenant={}, agent={}) queued", job.id(), job.tenant(), job.agent());
        return queued;
    }

    /**
     * The answer to a client whose request is queued and runs, but which this response cannot
     * follow: 202 with the request's id and where to poll or stream it. Never a 5xx, which would
     * invite a retry that runs the query twice.
     */
    public static ApiException accepted(String id, String why) {
        String status = "/api/v1/queries/" + id;
        return new ApiException(
                HttpStatus.ACCEPTED,
                "accepted",
                "The query was accepted and runs, but " + why + ": poll GET " + status + " or stream GET " + status
                        + "/events",
                Map.of("id", id, "status_url", status, "events_url", status + "/events", "retryable", false),
                Map.of(HttpHeaders.LOCATION, status, "X-Request-Id", id));
    }

    private ApiException refused(ApiException e) {
        meters.counter("agentic.ingress.refused", "reason", e.code()).increment();
        return e;
    }
}
