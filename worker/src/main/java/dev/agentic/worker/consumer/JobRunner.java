package dev.agentic.worker.consumer;

import dev.agentic.model.Job;
import dev.agentic.model.LogText;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.redis.AttemptOutcome;
import dev.agentic.redis.EventLog;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRegistry;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.Tokens;
import dev.agentic.worker.config.WorkerProperties;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one attempt at a job to the request's single terminal event: {@code restart} (for attempts
 * after the first), {@code start}, the agent's events, then {@code done} or {@code error}. While the
 * agent runs, a cancel (another party's terminal event) or the job's deadline interrupts it. Never
 * throws for a failing agent.
 */
public final class JobRunner implements AutoCloseable {
    /** Buckets of {@code agentic.job.duration}: short answers to the longest generations. */
    private static final Duration[] JOB_DURATION_BUCKETS = {
        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
        Duration.ofSeconds(120), Duration.ofSeconds(300), Duration.ofSeconds(600)
    };

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final String RESTART_REASON = "a previous attempt did not finish";

    private final EventLog events;
    private final AgentRegistry agents;
    private final CancelWatcher cancels;
    private final String workerName;
    private final Duration redisRetry;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ResponseCacheWriter cache;
    private final UsageAccounting usage;
    private final OutputLimits limits;
    private final Duration coalesceWindow;
    private final RecentRequests recent;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("job-deadlines").daemon().factory());

    /**
     * What a runner does around its agents besides running them. {@link #NONE}: no response cache,
     * no usage, default output limits and coalescing window, no recent-requests list.
     *
     * @param cache stores finished answers for the ingress's response cache
     * @param usage prices answers and counts them in the tenant's usage ledger
     * @param limits the most an attempt may write: bytes per event, characters per answer
     * @param coalesceWindow how long an event may wait to be written with later ones, tokens merged
     *     ({@code agentic.worker.token-coalesce-window}; zero writes each on its own)
     * @param recent where the requests this worker ends are summed up for the dashboard
     */
    public record Services(
            ResponseCacheWriter cache,
            UsageAccounting usage,
            OutputLimits limits,
            Duration coalesceWindow,
            RecentRequests recent) {
        public static final Services NONE = new Services(
                ResponseCacheWriter.DISABLED,
                UsageAccounting.NONE,
                OutputLimits.DEFAULT,
                WorkerProperties.Worker.DEFAULT_TOKEN_COALESCE_WINDOW,
                new RecentRequests(0, Clock.systemUTC()));

        public Services withCache(ResponseCacheWriter cache) {
            return new Services(cache, usage, limits, coalesceWindow, recent);
        }

        public Services withUsage(UsageAccounting usage) {
            return new Services(cache, usage, limits, coalesceWindow, recent);
        }

        public Services withLimits(OutputLimits limits) {
            return new Services(cache, usage, limits, coalesceWindow, recent);
        }
    }

    public JobRunner(
            EventLog events,
            AgentRegistry agents,
            CancelWatcher cancels,
            String workerName,
            Duration redisRetry,
            Clock clock,
            MeterRegistry meters,
            Services services) {
        this.recent = services.recent();
        this.limits = services.limits();
        this.coalesceWindow = services.coalesceWindow();
        this.cache = services.cache();
        this.usage = services.usage();
        this.events = events;
        this.agents = agents;
        this.cancels = cancels;
        this.workerName = workerName;
        this.redisRetry = redisRetry;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * Begins an attempt at the job: the attempt number is counted here, once, in Redis (see {@link
     * EventLog#beginAttempt}).
     *
     * @param deliveryCount how often the queue entry has been delivered
     */
    public EventLog.Attempt begin(Job job, long deliveryCount) {
        return events.beginAttempt(job, deliveryCount);
    }

    /**
     * Runs a begun attempt to its outcome: the consumer acknowledges the entry when {@link
     * AttemptOutcome#requestHasEnded()} and leaves it pending otherwise.
     *
     * @param slot the job's slot; its agent runs on the slot's thread and keeps the slot until it returns
     */
    AttemptOutcome run(Job job, EventLog.Attempt attempt, AgentThreads.Slot slot, Lease lease) {
        MDC.put("requestId", job.id());
        try {
            return runLogged(job, attempt, slot, lease);
        } catch (RedisException e) {
            log.warn("Query(id={}) lost Redis while running: {}; left pending", job.id(), e.getMessage());
            return AttemptOutcome.LOST;
        } finally {
            MDC.remove("requestId");
        }
    }

    /**
     * Runs a begun attempt on a thread of its own (for callers without a consumer's slots); the
     * caller settles the job ({@link #settle}) once the request has ended.
     */
    public AttemptOutcome run(Job job, EventLog.Attempt attempt) {
        try (AgentThreads own = new AgentThreads(1, 1, Duration.ofSeconds(5))) {
            AgentThreads.Slot slot = own.acquire();
            try {
                return run(job, attempt, slot, new Lease());
            } finally {
                slot.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AttemptOutcome.LOST;
        }
    }

    private AttemptOutcome runLogged(Job job, EventLog.Attempt attempt, AgentThreads.Slot slot, Lease lease) {
        String cacheKey = job.isExpired(clock.millis()) ? null : cache.keyFor(job);
        Optional<Agent> agent = agents.find(job.agent());
        // An agent that computes its answer has nothing to stream: its first token waits for the
        // window like the others, so a quick answer and its done go out in one emit.
        boolean streams = agent.map(found -> !found.computes()).orElse(true);
        RedisEventSink sink = new RedisEventSink(
                events.attempt(job, attempt.number(), redisRetry),
                cacheKey != null,
                limits,
                coalesceWindow,
                deadlines,
                streams);
        if (job.isExpired(clock.millis())) {
            log.info("Query(id={}, tenant={}) dropped: deadline passed before it started", job.id(), job.tenant());
            meters.counter("agentic.jobs.expired").increment();
            return finish(job, sink, deadlineExceeded("while it was queued"));
        }
        if (agent.isEmpty()) {
            return finish(
                    job,
                    sink,
                    new StreamEvent.Error("unknown_agent", "No worker runs agent '" + job.agent() + "'", false));
        }
        return JobTracing.traced(
                job, attempt.number(), () -> execute(job, agent.get(), sink, attempt, slot, lease, cacheKey));
    }

    /** @param cacheKey where a finished answer goes for the response cache; null when it is not cached */
    private AttemptOutcome execute(
            Job job,
            Agent agent,
            RedisEventSink sink,
            EventLog.Attempt attempt,
            AgentThreads.Slot slot,
            Lease lease,
            @Nullable String cacheKey) {
        Watch watch = new Watch();
        lease.onLost(() -> watch.stop(Stop.SUPERSEDED, sink));
        @Nullable StreamEvent terminal;
        try (CancelWatcher.Watching cancelWatch = cancels.watch(job.id(), () -> watch.stop(Stop.CANCELLED, sink))) {
            watch.arm(deadlines.schedule(
                    () -> watch.stop(Stop.EXPIRED, sink),
                    Math.max(0, job.deadlineMs() - clock.millis()),
                    TimeUnit.MILLISECONDS));
            if (attempt.followsAWrittenAttempt()) {
                // Clients may hold a partial answer of an earlier attempt: tell them to drop it.
                // (An entry delivered before but never run needs no restart: nothing was shown.)
                sink.append(new StreamEvent.Restart(attempt.number(), RESTART_REASON));
            }
            sink.append(new StreamEvent.Start(workerName, attempt.number()));
            if (!sink.isOpen()) {
                log.info("Query(id={}) had already ended or moved on; not run again", job.id());
                terminal = null;
            } else {
                terminal = runAgent(job, agent, sink, watch, slot);
            }
        } finally {
            watch.disarm();
            Thread.interrupted(); // a stop that raced the end of the agent must not reach Redis calls
        }
        if (terminal instanceof StreamEvent.Done done && cacheKey != null && sink.isOpen()) {
            cacheAnswer(job, sink, done, cacheKey);
        }
        if (watch.reason() == Stop.CANCELLED) {
            recent.record(job, "cancelled", "cancelled", sink.firstTokenAtMs());
        }
        return terminal == null ? sink.outcome() : finish(job, sink, terminal);
    }

    /** The requests this runner ended (for the dashboard and the worker's heartbeat). */
    RecentRequests recent() {
        return recent;
    }

    /**
     * Runs the agent on its slot's thread and waits for it until it returns or is stopped (cancel,
     * deadline, shutdown); a stopped agent is interrupted and given the stuck grace to return.
     * Returns the terminal event to write, or null to write none (the sink's outcome then says
     * whether the request ended elsewhere or the attempt was lost).
     */
    private @Nullable StreamEvent runAgent(
            Job job, Agent agent, RedisEventSink sink, Watch watch, AgentThreads.Slot slot) {
        Timer.Sample sample = Timer.start(meters);
        AgentRequest request = new AgentRequest(job.id(), job.tenant(), job.query(), job.sessionId(), job.chat());
        AgentThreads.AgentCall call =
                slot.start(job.id(), JobTracing.inCurrentContext(() -> agent.run(request, sink)), agent.computes());
        AgentThreads.End end = awaitEnd(job, call, watch, sink);
        String outcome = end instanceof AgentThreads.End.Returned ? "done" : end == null ? "stuck" : "error";
        sample.stop(Timer.builder("agentic.job.duration")
                .tags("agent", job.agent(), "outcome", outcome)
                .description("An agent's run on its slot, from start to return, error or stop")
                .serviceLevelObjectives(JOB_DURATION_BUCKETS)
                .register(meters));
        meters.counter("agentic.tokens.out", "agent", job.agent()).increment(sink.tokens());
        if (end == null) {
            return afterStop(job, watch, sink, null);
        }
        return switch (end) {
            case AgentThreads.End.Returned returned -> afterStop(job, watch, sink, done(job, sink, returned.result()));
            case AgentThreads.End.Threw threw -> afterThrow(job, watch, sink, threw.error());
        };
    }

    /**
     * Waits for the agent; null when it did not return within the stuck grace after its interrupt
     * (it keeps its slot until it does, and counts as stuck).
     */
    private AgentThreads.@Nullable End awaitEnd(
            Job job, AgentThreads.AgentCall call, Watch watch, RedisEventSink sink) {
        awaitEndOrStop(call, watch, sink);
        if (call.end().isDone()) {
            return call.end().join();
        }
        call.interrupt();
        try {
            return call.end().get(call.stuckGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            markStuck(job, call, watch);
            return null;
        } catch (InterruptedException e) {
            watch.stop(Stop.SHUTDOWN, sink);
            markStuck(job, call, watch);
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // the end never completes exceptionally
        }
    }

    /** Waits until the agent returns or the watch stops it (cancel, deadline, lost lease, shutdown). */
    private static void awaitEndOrStop(AgentThreads.AgentCall call, Watch watch, RedisEventSink sink) {
        try {
            CompletableFuture.anyOf(call.end(), watch.stopped()).get();
        } catch (InterruptedException e) {
            watch.stop(Stop.SHUTDOWN, sink);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // neither future completes exceptionally
        }
    }

    private void markStuck(Job job, AgentThreads.AgentCall call, Watch watch) {
        log.warn(
                "Query(id={}, agent={}) agent did not return within {} of its stop ({}); its thread stays held",
                job.id(),
                LogText.safe(job.agent()),
                call.stuckGrace(),
                watch.reason());
        meters.counter("agentic.agents.stuck", "agent", job.agent()).increment();
        call.markStuck();
    }

    /** Nothing stopped the agent but its answer reaching {@code max-answer-chars}. */
    private static boolean isStopAtFullAnswer(Watch watch, RedisEventSink sink) {
        return watch.reason() == null && sink.answerFull() && sink.isOpen();
    }

    /** The agent's {@code done}; finish reason {@code length} when its answer reached the limit. */
    private StreamEvent done(Job job, RedisEventSink sink, AgentResult result) {
        String reason = sink.answerFull() ? "length" : result.finishReason();
        if (sink.answerFull()) {
            log.info(
                    "Query(id={}, agent={}) answer cut at {} characters",
                    job.id(),
                    LogText.safe(job.agent()),
                    limits.maxAnswerChars());
        }
        meters.counter("agentic.tokens.in", "agent", job.agent())
                .increment(result.usage().tokensIn());
        return new StreamEvent.Done(usage.priced(job.agent(), result.usage()), reason);
    }

    private @Nullable StreamEvent afterThrow(Job job, Watch watch, RedisEventSink sink, Throwable error) {
        if (isStopAtFullAnswer(watch, sink)) {
            // An agent that streams until its sink closes (LlmStream) reads a full answer as a
            // cancel and throws: the answer is what it is, cut at the limit.
            return done(
                    job, sink, new AgentResult(new Usage(Tokens.estimate(job.query()), sink.tokens(), 0), "length"));
        }
        return switch (error) {
            case AgentException e -> {
                log.info(
                        "Query(id={}, agent={}) failed: {} {}",
                        job.id(),
                        LogText.safe(job.agent()),
                        e.code(),
                        LogText.safe(String.valueOf(e.getMessage())));
                yield afterStop(
                        job,
                        watch,
                        sink,
                        new StreamEvent.Error(e.code(), String.valueOf(e.getMessage()), e.retryable()));
            }
            case InterruptedException e -> {
                if (watch.reason() == null || watch.reason() == Stop.SHUTDOWN) {
                    log.info("Query(id={}) interrupted by shutdown; left pending for another worker", job.id());
                    sink.close(AttemptOutcome.LOST);
                    yield null;
                }
                yield afterStop(job, watch, sink, null);
            }
            default -> { // Errors too (StackOverflowError, OutOfMemoryError): the request must end
                if (watch.reason() == null && sink.isOpen()) {
                    log.warn(
                            "Query(id={}, agent={}) agent threw", job.id(), LogText.safe(job.agent()), loggable(error));
                }
                yield afterStop(
                        job,
                        watch,
                        sink,
                        new StreamEvent.Error("agent_failed", "The agent failed unexpectedly", false));
            }
        };
    }

    /**
     * The agent's failure as it may be logged: messages (which may carry client text) escaped,
     * stack traces kept.
     */
    private static Throwable loggable(Throwable error) {
        return loggable(error, 0);
    }

    private static Throwable loggable(Throwable error, int depth) {
        Throwable cause = error.getCause();
        AgentFailure copy = new AgentFailure(
                LogText.safe(String.valueOf(error)),
                cause == null || cause == error || depth > 4 ? null : loggable(cause, depth + 1));
        copy.setStackTrace(error.getStackTrace());
        return copy;
    }

    /**
     * The terminal event once the agent has returned, thrown or got stuck: a deadline that stopped
     * it wins, a closed sink (cancelled, superseded, Redis lost) writes nothing, otherwise {@code
     * terminal}.
     */
    private @Nullable StreamEvent afterStop(Job job, Watch watch, RedisEventSink sink, @Nullable StreamEvent terminal) {
        if (watch.reason() == Stop.SHUTDOWN && !(terminal instanceof StreamEvent.Done)) {
            // Stopped by shutdown, however the agent reacted: hand the job back, end nothing.
            sink.close(AttemptOutcome.LOST);
            return null;
        }
        if (watch.reason() == Stop.EXPIRED && sink.isOpen()) {
            log.info("Query(id={}) stopped at its deadline", job.id());
            meters.counter("agentic.jobs.expired").increment();
            return deadlineExceeded("while it ran");
        }
        if (!sink.isOpen() || terminal == null) {
            if (watch.reason() == Stop.CANCELLED) {
                meters.counter("agentic.jobs.cancelled").increment();
            }
            return null;
        }
        return terminal;
    }

    /**
     * Counts ended requests in their tenants' usage, once per request whoever calls it; throws a
     * Redis failure.
     */
    void settle(List<Job> jobs) {
        usage.settle(jobs);
    }

    /** Ends the request of a job that went to the dead-letter stream. */
    void endAsDeadLetter(Job job, int attempts) {
        AttemptOutcome outcome = events.end(
                job.id(),
                new StreamEvent.Error(
                        "max_deliveries_exceeded",
                        "The request was attempted " + attempts
                                + " times without finishing; it was set aside for an operator",
                        false));
        if (outcome instanceof AttemptOutcome.Written) {
            recent.record(job, "error", "max_deliveries_exceeded", 0);
        }
    }

    private static StreamEvent.Error deadlineExceeded(String when) {
        return new StreamEvent.Error("deadline_exceeded", "The request's deadline passed " + when, false);
    }

    /**
     * Stores the answer for the response cache before its {@code done} is written, so a client that
     * asks the same again once it has its answer finds it cached.
     */
    private void cacheAnswer(Job job, RedisEventSink sink, StreamEvent.Done done, String cacheKey) {
        sink.recorded().ifPresent(recorded -> cache.store(cacheKey, job, recorded, sink.answer(), done.finishReason()));
    }

    private AttemptOutcome finish(Job job, RedisEventSink sink, StreamEvent terminal) {
        AttemptOutcome outcome = sink.finish(terminal);
        if (outcome instanceof AttemptOutcome.Written) {
            String code = terminal instanceof StreamEvent.Error error ? error.code() : null;
            recent.record(job, terminal.type(), code, sink.firstTokenAtMs());
        }
        if (terminal instanceof StreamEvent.Done done && outcome instanceof AttemptOutcome.Written) {
            usage.count(job, done.usage()); // this attempt wrote the done: settle it without reading it back
        }
        meters.counter("agentic.jobs.finished", "agent", job.agent(), "outcome", terminal.type())
                .increment();
        return outcome;
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
    }

    /** An agent's failure with its message escaped for the log. */
    private static final class AgentFailure extends RuntimeException {
        AgentFailure(String message, @Nullable Throwable cause) {
            super(message, cause, false, true);
        }
    }

    private enum Stop {
        CANCELLED,
        EXPIRED,
        /** The worker is stopping (its job thread was interrupted). */
        SHUTDOWN,
        /** Another worker reclaimed the entry (this one was paused past the reclaim timeout). */
        SUPERSEDED
    }

    /** Stops one running agent, once, for a reason: wakes the job thread that waits for it. */
    private static final class Watch {
        private final CompletableFuture<Stop> stopped = new CompletableFuture<>();
        private @Nullable Stop reason;
        private @Nullable ScheduledFuture<?> deadline;
        private boolean armed = true;

        synchronized void arm(ScheduledFuture<?> deadlineTimer) {
            this.deadline = deadlineTimer;
        }

        synchronized @Nullable Stop reason() {
            return reason;
        }

        CompletableFuture<Stop> stopped() {
            return stopped;
        }

        synchronized void stop(Stop why, RedisEventSink sink) {
            if (armed && reason == null) {
                reason = why;
                switch (why) {
                    case CANCELLED -> sink.close(AttemptOutcome.ENDED);
                    case SUPERSEDED -> sink.close(AttemptOutcome.SUPERSEDED);
                    case EXPIRED, SHUTDOWN -> {}
                }
                stopped.complete(why);
            }
        }

        synchronized void disarm() {
            armed = false;
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }
}
