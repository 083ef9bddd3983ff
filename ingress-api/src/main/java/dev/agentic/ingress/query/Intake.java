package dev.agentic.ingress.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentic.ingress.admission.Admission;
import dev.agentic.ingress.admission.AdmissionTimer;
import dev.agentic.ingress.limits.TenantLimiter;
import dev.agentic.ingress.relay.Drain;
import dev.agentic.ingress.relay.EventCursor;
import dev.agentic.ingress.relay.EventCursors;
import dev.agentic.ingress.relay.SseFormat;
import dev.agentic.ingress.relay.SseRelay;
import dev.agentic.ingress.security.Caller;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.CachedAnswer;
import dev.agentic.model.ChatOptions;
import dev.agentic.model.EventId;
import dev.agentic.model.IngestDocument;
import dev.agentic.model.Job;
import dev.agentic.model.LoggedEvent;
import dev.agentic.redis.EventLog;
import io.lettuce.core.RedisException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/**
 * The one path by which the ingress accepts a request, whatever door it came through: drain check
 * → the job → idempotency → response cache → admission (limits, stream permit, queue) → enqueue →
 * open (the cursor, then SSE or the JSON reply). The controllers only map HTTP to it and back.
 *
 * <p>Every admission check is timed by {@link AdmissionTimer}; the stream permit is released and a
 * claimed Idempotency-Key given back on every path that accepts nothing. Once the job is queued,
 * no failure is a 5xx: the client gets {@code 202 accepted} with the request's id.
 */
@Service
public class Intake {
    static final String IDEMPOTENT_REPLAY_HEADER = "Idempotent-Replayed";
    /** Set to {@code hit} when the answer comes from the response cache. */
    static final String CACHE_HEADER = "X-Cache";

    private final QueryService queries;
    private final ResponseCache cache;
    private final EventLog events;
    private final EventCursors cursors;
    private final SseRelay sse;
    private final Drain drain;
    private final Admission admission;
    private final TenantLimiter limits;
    private final AdmissionTimer timer;

    Intake(
            QueryService queries,
            ResponseCache cache,
            EventLog events,
            EventCursors cursors,
            SseRelay sse,
            Drain drain,
            Admission admission,
            TenantLimiter limits,
            AdmissionTimer timer) {
        this.queries = queries;
        this.cache = cache;
        this.events = events;
        this.cursors = cursors;
        this.sse = sse;
        this.drain = drain;
        this.admission = admission;
        this.limits = limits;
        this.timer = timer;
    }

    /** What a client asked for besides the request's body, as its HTTP headers said it. */
    public record QueryHeaders(
            @Nullable String accept,
            @Nullable String idempotencyKey,
            @Nullable String timeout,
            @Nullable String cacheControl) {}

    /** The {@code 202} body of a document's ingestion, queued: the request and where to follow it. */
    public record DocumentAccepted(
            String id,
            @JsonProperty("document_id") String documentId,
            String status,
            @JsonProperty("status_url") String statusUrl,
            @JsonProperty("events_url") String eventsUrl) {
        static DocumentAccepted queued(String id, String documentId) {
            String statusUrl = "/api/v1/queries/" + id;
            return new DocumentAccepted(id, documentId, "queued", statusUrl, statusUrl + "/events");
        }
    }

    /**
     * Accepts a query and answers it: as SSE into {@code response} (then {@code null}), or, after
     * waiting for it, as JSON.
     */
    @Nullable
    QueryAnswer query(
            QueryRequest request,
            Caller caller,
            QueryHeaders headers,
            HttpServletRequest http,
            HttpServletResponse response) {
        return answer(
                request,
                null,
                caller,
                headers,
                SseRelay.wantsEventStream(headers.accept()),
                SseFormat.NATIVE,
                http,
                response);
    }

    /**
     * Accepts a query and answers it as {@link #query} does, streamed in {@code format} when {@code
     * stream} (then {@code null}): the path of the OpenAI API, whose body says whether it streams.
     *
     * @param chat the conversation and sampling parameters for an agent that passes them to its
     *     provider; a job with parameters neither reads nor fills the response cache
     */
    public @Nullable QueryAnswer answer(
            QueryRequest request,
            @Nullable ChatOptions chat,
            Caller caller,
            QueryHeaders headers,
            boolean stream,
            SseFormat format,
            HttpServletRequest http,
            HttpServletResponse response) {
        requireOpen();
        Job job = queries.prepare(request, chat, caller.tenant(), headers.timeout());
        caller.requireAgent(job.agent());
        boolean acceptsCached =
                request.acceptsCached(headers.cacheControl()) && (chat == null || !chat.hasParameters());
        Intent intent = new Intent(stream, true, headers.idempotencyKey(), acceptsCached, format);
        return accept(job, intent, http, response, (id, cursor) -> awaitAnswer(job, id, cursor));
    }

    /**
     * Accepts a document's ingestion as a job of the {@code ingest} agent on the batch lane: its
     * events stream as SSE into {@code response} (then {@code null}), or it is {@link
     * DocumentAccepted} at once. The document is read only once the instance is known to accept.
     */
    public @Nullable DocumentAccepted document(
            Supplier<IngestDocument> document,
            Caller caller,
            @Nullable String accept,
            HttpServletRequest http,
            HttpServletResponse response) {
        requireOpen();
        IngestDocument checked = document.get();
        Job job = queries.prepareIngest(checked, caller.tenant());
        // The tenant's budget and rate count ingestions as they count queries; a progress stream
        // holds one of its stream permits.
        Intent intent = new Intent(SseRelay.wantsEventStream(accept), false, null, false, SseFormat.NATIVE);
        return accept(job, intent, http, response, (id, cursor) -> DocumentAccepted.queued(id, checked.documentId()));
    }

    /**
     * How a request is to be accepted.
     *
     * @param stream the client wants SSE
     * @param waitsForAnswer without SSE, the response waits for the answer (holding a stream permit)
     * @param idempotencyKey the request's Idempotency-Key, if any
     * @param acceptsCached a cached answer may stand for a fresh one
     * @param format how the stream is written
     */
    private record Intent(
            boolean stream,
            boolean waitsForAnswer,
            @Nullable String idempotencyKey,
            boolean acceptsCached,
            SseFormat format) {
        boolean holdsStreamPermit() {
            return stream || waitsForAnswer;
        }
    }

    private void requireOpen() {
        if (drain.isDraining()) {
            throw ApiException.shuttingDown();
        }
    }

    private <T> @Nullable T accept(
            Job job,
            Intent intent,
            HttpServletRequest http,
            HttpServletResponse response,
            BiFunction<String, EventCursor, T> reply) {
        String tenant = job.tenant();
        // Budget, rate and the stream permit in one Redis call; the permit is given back on every path.
        try (TenantLimiter.Admitted admitted =
                timer.time(http, "limits", () -> limits.admitQuery(tenant, intent.holdsStreamPermit()))) {
            admitted.headers().writeTo(response);
            return admitAndOpen(job, intent, http, response, reply);
        }
    }

    private <T> @Nullable T admitAndOpen(
            Job job,
            Intent intent,
            HttpServletRequest http,
            HttpServletResponse response,
            BiFunction<String, EventCursor, T> reply) {
        String key = intent.idempotencyKey();
        Optional<String> existing =
                key == null ? Optional.empty() : queries.claimIdempotencyKey(job.tenant(), key, job.id());
        Optional<CachedAnswer> cached =
                existing.isEmpty() && intent.acceptsCached() ? cache.find(job) : Optional.empty();
        if (existing.isEmpty() && cached.isEmpty()) {
            timer.time(http, "queue", () -> admit(job, key));
        }
        timer.admitted(http);
        String id = existing.orElse(job.id());
        // Listen before the job exists, so not even its first event can slip past.
        long deadlineMs =
                existing.isPresent() ? EventCursors.deadlineOf(events.status(id), job.deadlineMs()) : job.deadlineMs();
        try (EventCursor cursor = cursors.open(id, EventId.ZERO, deadlineMs)) {
            String relay = cursor.relayChannel();
            LoggedEvent queued = null;
            if (existing.isPresent()) {
                response.setHeader(IDEMPOTENT_REPLAY_HEADER, "true");
            } else if (cached.isPresent()) {
                response.setHeader(CACHE_HEADER, "hit");
                queued = enqueue(() -> cache.serve(job, cached.get(), relay), job, key);
            } else {
                queued = enqueue(() -> queries.enqueue(job, key, relay), job, key);
            }
            if (queued != null) {
                cursor.opened(queued); // the log holds just that: no need to read it
            }
            if (intent.stream()) {
                sse.relay(id, cursor, existing.isPresent() ? 0 : job.createdAtMs(), response, intent.format());
                return null;
            }
            return reply.apply(id, cursor);
        }
    }

    /** Refuses before anything is accepted; a key claimed for the refused job is given back. */
    private void admit(Job job, @Nullable String idempotencyKey) {
        try {
            admission.admit(job);
        } catch (ApiException e) {
            release(job, idempotencyKey);
            throw e;
        }
    }

    /**
     * Accepts the job (queues it or answers it from the cache); a key claimed for it is given back
     * when nothing was accepted (a Redis failure before the job is queued), never once it is.
     */
    private @Nullable LoggedEvent enqueue(
            Supplier<@Nullable LoggedEvent> acceptance, Job job, @Nullable String idempotencyKey) {
        try {
            return acceptance.get();
        } catch (RedisException e) {
            release(job, idempotencyKey);
            throw e;
        }
    }

    private void release(Job job, @Nullable String idempotencyKey) {
        if (idempotencyKey != null) {
            queries.releaseIdempotencyKey(job.tenant(), idempotencyKey, job.id());
        }
    }

    /** Waits for the answer; once the job is queued, every failure is a 202 with the id, never a 5xx. */
    private QueryAnswer awaitAnswer(Job job, String id, EventCursor cursor) {
        try (Drain.Registration registration = drain.register()) {
            return AnswerCollector.await(id, job.agent(), cursor);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QueryService.accepted(id, "this instance is shutting down");
        } catch (RedisException e) {
            throw QueryService.accepted(id, "the connection to the queue was lost while waiting");
        }
    }
}
