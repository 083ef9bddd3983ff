package dev.agentic.ingress.query;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The W3C trace context of the request being served, for the job to carry to the worker: no
 * instrumentation follows a Redis stream entry. Null without a tracer (the OpenTelemetry java
 * agent), whose absence makes the API a no-op.
 */
final class TraceContext {
    private TraceContext() {}

    static @Nullable String currentTraceparent() {
        if (!Span.current().getSpanContext().isValid()) {
            return null; // nothing traces this request: no map, no propagator
        }
        Map<String, String> carrier = new HashMap<>(4);
        GlobalOpenTelemetry.getPropagators()
                .getTextMapPropagator()
                .inject(Context.current(), carrier, (map, key, value) -> {
                    if (map != null) {
                        map.put(key, value);
                    }
                });
        return carrier.get("traceparent");
    }
}
