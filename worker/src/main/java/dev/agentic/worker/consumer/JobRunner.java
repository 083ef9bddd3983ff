package dev.agentic.worker.consumer;

import dev.agentic.model.Job;
import dev.agentic.model.StreamEvent;
import dev.agentic.redis.AttemptWriter;
import dev.agentic.redis.EventLog;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRegistry;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("job-deadlines").daemon().factory());

    public JobRunner(
            EventLog events,
            AgentRegistry agents,
            CancelWatcher cancels,
            String workerName,
            Duration redisRetry,
            Clock clock,
            MeterRegistry meters) {
        this(
                events,
                agents,
                cancels,
                workerName,
                redisRetry,
                clock,
                meters,
                ResponseCacheWriter.DISABLED,
                UsageAccounting.NONE);
    }

    /**
     * @param cache stores finished answers for the ingress's response cache
     * @param usage prices answers and counts them in the tenant's usage ledger
     */
    public JobRunner(
            EventLog events,
            AgentRegistry agents,
            CancelWatcher cancels,
            String workerName,
            Duration redisRetry,
            Clock clock,
            MeterRegistry meters,
            ResponseCacheWriter cache,
            UsageAccounting usage) {
        this.cache = cache;
        this.usage = usage;
        this.events = events;
        this.agents = agents;
        this.cancels = cancels;
        this.workerName = workerName;
        this.redisRetry = redisRetry;
        this.clock = clock;
        this.meters = meters;
    }

    /** What the consumer does with the queue entry after an attempt. */
    public enum Disposition {
        /** The request has its terminal event: acknowledge the entry. */
        ACK,
        /**
         * Leave the entry pending: the attempt was interrupted by shutdown or lost Redis, or a later
         * attempt owns the request. A live worker (or this one, restarted) will run it again.
         */
        LEAVE
    }

    public Disposition run(Job job, int attempt) {
        MDC.put("requestId", job.id());
        try {
            Disposition disposition = runLogged(job, events.attempt(job.id(), attempt, redisRetry));
            if (disposition == Disposition.ACK) {
                usage.settle(job); // once per request; a Redis failure here leaves the job pending
            }
            return disposition;
        } catch (RedisException e) {
            log.warn("Query(id={}) lost Redis while running: {}; left pending", job.id(), e.getMessage());
            return Disposition.LEAVE;
        } finally {
            MDC.remove("requestId");
        }
    }

    private Disposition runLogged(Job job, AttemptWriter writer) {
        String cacheKey = job.isExpired(clock.millis()) ? null : cache.keyFor(job);
        RedisEventSink sink = new RedisEventSink(writer, cacheKey != null);
        if (job.isExpired(clock.millis())) {
            log.info("Query(id={}, tenant={}) dropped: deadline passed before it started", job.id(), job.tenant());
            meters.counter("agentic.jobs.expired").increment();
            return finish(job, sink, deadlineExceeded("while it was queued"));
        }
        // The ingress writes the job before its request: if it died in between, write the request
        // here (a no-op when it exists), so the client's retry finds it.
        events.open(job);
        Optional<Agent> agent = agents.find(job.agent());
        if (agent.isEmpty()) {
            return finish(
                    job,
                    sink,
                    new StreamEvent.Error("unknown_agent", "No worker runs agent '" + job.agent() + "'", false));
        }
        Disposition disposition = execute(job, agent.get(), sink, writer.attempt());
        if (cacheKey != null && sink.writtenTerminal() instanceof StreamEvent.Done done) {
            sink.recorded()
                    .ifPresent(recorded -> cache.store(cacheKey, job, recorded, sink.answer(), done.finishReason()));
        }
        return disposition;
    }

    private Disposition execute(Job job, Agent agent, RedisEventSink sink, int attempt) {
        Watch watch = new Watch(Thread.currentThread());
        Result result;
        try (CancelWatcher.Watching cancelWatch = cancels.watch(job.id(), () -> watch.stop(Stop.CANCELLED, sink))) {
            watch.arm(deadlines.schedule(
                    () -> watch.stop(Stop.EXPIRED, sink),
                    Math.max(0, job.deadlineMs() - clock.millis()),
                    TimeUnit.MILLISECONDS));
            if (attempt > 1 && events.lastAttempt(job.id()) > 0) {
                // Clients may hold a partial answer of an earlier attempt: tell them to drop it.
                // (An entry delivered before but never run needs no restart: nothing was shown.)
                sink.append(new StreamEvent.Restart(attempt, RESTART_REASON));
            }
            sink.append(new StreamEvent.Start(workerName, attempt));
            if (sink.isClosed()) {
                log.info("Query(id={}) had already ended or moved on; not run again", job.id());
                result = new Result.Settle();
            } else {
                result = runAgent(job, agent, sink, watch);
            }
        } finally {
            watch.disarm();
            Thread.interrupted(); // a stop that raced the end of the agent must not reach Redis calls
        }
        return switch (result) {
            case Result.Write write -> finish(job, sink, write.terminal());
            case Result.Settle settle -> sink.isSettled() ? Disposition.ACK : Disposition.LEAVE;
            case Result.Leave leave -> Disposition.LEAVE;
        };
    }

    /** What an attempt ends with. */
    private sealed interface Result {
        /** Write this terminal event. */
        record Write(StreamEvent terminal) implements Result {}

        /** Write nothing: the sink knows whether the request ended (ack) or moved on (leave). */
        record Settle() implements Result {}

        /** Interrupted by shutdown: leave the entry pending. */
        record Leave() implements Result {}
    }

    private Result runAgent(Job job, Agent agent, RedisEventSink sink, Watch watch) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
            AgentResult result =
                    agent.run(new AgentRequest(job.id(), job.tenant(), job.query(), job.sessionId()), sink);
            outcome = "done";
            return afterStop(
                    job,
                    watch,
                    sink,
                    new StreamEvent.Done(usage.priced(job.agent(), result.usage()), result.finishReason()));
        } catch (AgentException e) {
            log.info("Query(id={}, agent={}) failed: {} {}", job.id(), job.agent(), e.code(), e.getMessage());
            return afterStop(job, watch, sink, new StreamEvent.Error(e.code(), e.getMessage(), e.retryable()));
        } catch (InterruptedException e) {
            outcome = "interrupted";
            if (watch.reason() == null) {
                log.info("Query(id={}) interrupted by shutdown; left pending for another worker", job.id());
                return new Result.Leave();
            }
            return afterStop(job, watch, sink, null);
        } catch (Throwable e) { // Errors too (StackOverflowError, OutOfMemoryError): the request must end
            if (watch.reason() == null && !sink.isClosed()) {
                log.warn("Query(id={}, agent={}) agent threw", job.id(), job.agent(), e);
            }
            return afterStop(
                    job, watch, sink, new StreamEvent.Error("agent_failed", "The agent failed unexpectedly", false));
        } finally {
            sample.stop(meters.timer("agentic.job.duration", "agent", job.agent(), "outcome", outcome));
            meters.counter("agentic.tokens.out", "agent", job.agent()).increment(sink.tokens());
        }
    }

    /**
     * The result once the agent has returned or thrown: a deadline that stopped it wins, a closed
     * sink (cancelled, superseded, Redis lost) writes nothing, otherwise {@code terminal}.
     */
    private Result afterStop(Job job, Watch watch, RedisEventSink sink, @Nullable StreamEvent terminal) {
        if (watch.reason() == Stop.EXPIRED && !sink.isClosed()) {
            log.info("Query(id={}) stopped at its deadline", job.id());
            meters.counter("agentic.jobs.expired").increment();
            return new Result.Write(deadlineExceeded("while it ran"));
        }
        if (sink.isClosed() || terminal == null) {
            if (watch.reason() == Stop.CANCELLED) {
                meters.counter("agentic.jobs.cancelled").increment();
            }
            return new Result.Settle();
        }
        return new Result.Write(terminal);
    }

    /** Ends the request of a job that went to the dead-letter stream. */
    void endAsDeadLetter(Job job, int attempts) {
        events.end(
                job.id(),
                new StreamEvent.Error(
                        "max_deliveries_exceeded",
                        "The request was attempted " + attempts
                                + " times without finishing; it was set aside for an operator",
                        false));
    }

    private static StreamEvent.Error deadlineExceeded(String when) {
        return new StreamEvent.Error("deadline_exceeded", "The request's deadline passed " + when, false);
    }

    private Disposition finish(Job job, RedisEventSink sink, StreamEvent terminal) {
        RedisEventSink.State state = sink.finish(terminal);
        meters.counter("agentic.jobs.finished", "agent", job.agent(), "outcome", terminal.type())
                .increment();
        return state == RedisEventSink.State.ENDED ? Disposition.ACK : Disposition.LEAVE;
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
    }

    private enum Stop {
        CANCELLED,
        EXPIRED
    }

    /** Stops one running agent, once, for a reason, by interrupting its thread. */
    private static final class Watch {
        private final Thread thread;
        private @Nullable Stop reason;
        private @Nullable ScheduledFuture<?> deadline;
        private boolean armed = true;

        Watch(Thread thread) {
            this.thread = thread;
        }

        synchronized void arm(ScheduledFuture<?> deadlineTimer) {
            this.deadline = deadlineTimer;
        }

        synchronized @Nullable Stop reason() {
            return reason;
        }

        synchronized void stop(Stop why, RedisEventSink sink) {
            if (armed && reason == null) {
                reason = why;
                if (why == Stop.CANCELLED) {
                    sink.markEnded();
                }
                thread.interrupt();
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
