package dev.agentic.worker.consumer;

import dev.agentic.model.Job;
import dev.agentic.redis.AttemptOutcome;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A job's span, in the trace its ingress request began: the W3C {@code traceparent} travels inside
 * the job, because no instrumentation follows a Redis stream entry. Without the OpenTelemetry java
 * agent the API is a no-op and this costs next to nothing; with it, the agent's own spans (the
 * LLM's HTTP call, Redis commands) made while the span is current become its children.
 */
final class JobTracing {
    private static final String TRACEPARENT = "traceparent";

    private static final TextMapGetter<Job> FROM_JOB = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Job job) {
            return List.of(TRACEPARENT);
        }

        @Override
        public @Nullable String get(@Nullable Job job, String key) {
            return job != null && key.equals(TRACEPARENT) ? job.traceparent() : null;
        }
    };

    private JobTracing() {}

    /** Runs one attempt at the job inside its span, which records how the attempt ended. */
    static AttemptOutcome traced(Job job, int attempt, Supplier<AttemptOutcome> execution) {
        Span span = start(job, attempt);
        try (Scope ignored = span.makeCurrent()) {
            AttemptOutcome outcome = execution.get();
            span.setAttribute("agentic.outcome", outcome.getClass().getSimpleName());
            return outcome;
        } finally {
            span.end();
        }
    }

    private static Span start(Job job, int attempt) {
        OpenTelemetry otel = GlobalOpenTelemetry.get();
        Context parent = otel.getPropagators().getTextMapPropagator().extract(Context.root(), job, FROM_JOB);
        return otel.getTracer("dev.agentic.worker")
                .spanBuilder("agent " + job.agent())
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute("agentic.request_id", job.id())
                .setAttribute("agentic.agent", job.agent())
                .setAttribute("agentic.lane", job.lane().wireName())
                .setAttribute("agentic.attempt", attempt)
                .startSpan();
    }

    /** The task, run in the context current now (the job's span) on whichever thread runs it. */
    static AgentThreads.AgentTask inCurrentContext(AgentThreads.AgentTask task) {
        Context context = Context.current();
        return () -> {
            try (Scope ignored = context.makeCurrent()) {
                return task.run();
            }
        };
    }
}
