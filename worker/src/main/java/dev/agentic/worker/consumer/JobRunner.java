package dev.agentic.worker.consumer;

import dev.agentic.model.Job;
import dev.agentic.model.StreamEvent;
import dev.agentic.redis.EventLog;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRegistry;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one job to its single terminal event: {@code start}, the agent's events, then {@code done}
 * or {@code error}. Never throws for a failing agent; the caller acknowledges the job after {@link
 * #run} returns true.
 */
public final class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final String RESTART_REASON = "a previous attempt did not finish";

    private final EventLog events;
    private final AgentRegistry agents;
    private final String workerName;
    private final Clock clock;
    private final MeterRegistry meters;

    public JobRunner(EventLog events, AgentRegistry agents, String workerName, Clock clock, MeterRegistry meters) {
        this.events = events;
        this.agents = agents;
        this.workerName = workerName;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * @return true when the job reached its terminal event (or had one already) and may be acked;
     *     false when it was interrupted and must stay pending for another worker
     */
    public boolean run(Job job, int attempt) {
        MDC.put("requestId", job.id());
        try {
            return runLogged(job, attempt);
        } finally {
            MDC.remove("requestId");
        }
    }

    private boolean runLogged(Job job, int attempt) {
        if (job.isExpired(clock.millis())) {
            log.info("Query(id={}, tenant={}) dropped: deadline passed before it started", job.id(), job.tenant());
            meters.counter("agentic.jobs.expired").increment();
            return finish(
                    job,
                    new StreamEvent.Error(
                            "deadline_exceeded", "The request's deadline passed while it was queued", false),
                    "");
        }
        Optional<Agent> agent = agents.find(job.agent());
        if (agent.isEmpty()) {
            return finish(
                    job,
                    new StreamEvent.Error("unknown_agent", "No worker runs agent '" + job.agent() + "'", false),
                    "");
        }
        return execute(job, agent.get(), attempt);
    }

    private boolean execute(Job job, Agent agent, int attempt) {
        RedisEventSink sink = new RedisEventSink(events, job.id());
        if (attempt > 1) {
            // Clients may hold a partial answer of the earlier attempt: tell them to drop it.
            sink.append(new StreamEvent.Restart(attempt, RESTART_REASON));
        }
        sink.append(new StreamEvent.Start(workerName, attempt));
        if (sink.isClosed()) {
            // Delivered again after it ended (a lost consumer group, a reclaim): running the agent
            // would only repeat work, and LLM calls, that nobody can receive.
            log.info("Query(id={}) had already ended; not run again", job.id());
            return true;
        }
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
            AgentResult result =
                    agent.run(new AgentRequest(job.id(), job.tenant(), job.query(), job.sessionId()), sink);
            outcome = "done";
            return finish(job, new StreamEvent.Done(result.usage(), result.finishReason()), sink.answer());
        } catch (AgentException e) {
            log.info("Query(id={}, agent={}) failed: {} {}", job.id(), job.agent(), e.code(), e.getMessage());
            return finish(job, new StreamEvent.Error(e.code(), e.getMessage(), e.retryable()), sink.answer());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
            log.info("Query(id={}) interrupted; left pending for another worker", job.id());
            return false;
        } catch (RuntimeException e) {
            log.warn("Query(id={}, agent={}) agent threw", job.id(), job.agent(), e);
            return finish(
                    job, new StreamEvent.Error("agent_failed", "The agent failed unexpectedly", false), sink.answer());
        } finally {
            sample.stop(meters.timer("agentic.job.duration", "agent", job.agent(), "outcome", outcome));
            meters.counter("agentic.tokens.out", "agent", job.agent()).increment(sink.tokens());
        }
    }

    private boolean finish(Job job, StreamEvent terminal, String answer) {
        if (events.finish(job.id(), terminal, answer).isEmpty()) {
            log.info("Query(id={}) had already ended; {} not written", job.id(), terminal.type());
        }
        meters.counter("agentic.jobs.finished", "agent", job.agent(), "outcome", terminal.type())
                .increment();
        return true;
    }
}
