package dev.agentic.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.ServiceProcess;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import dev.agentic.testsupport.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One query, one trace: the OpenTelemetry java agent on the ingress and the worker, the job carrying
 * the W3C trace context across the queue, the spans read back from the agent's {@code logging-otlp}
 * exporter (OTLP JSON in each process's log). Also the agent's cost: time to first token with and
 * without it, measured in the same run.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class TracingIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String QUERY = "{\"query\":\"Tell me about queues\",\"agent_type\":\"general\"}";
    private static final int SPAN_KIND_SERVER = 2;
    private static final int SPAN_KIND_CLIENT = 3;
    private static final int SPAN_KIND_CONSUMER = 5;

    /** One span as the exporter wrote it, with the service that wrote it. */
    record ExportedSpan(
            String service,
            String traceId,
            String spanId,
            String parentSpanId,
            String name,
            int kind,
            long startNanos,
            long endNanos,
            JsonNode attributes) {
        double millis() {
            return (endNanos - startNanos) / 1e6;
        }

        String attribute(String key) {
            for (JsonNode attribute : attributes) {
                if (attribute.path("key").asString().equals(key)) {
                    return attribute.path("value").path("stringValue").asString();
                }
            }
            return "";
        }
    }

    @Test
    void oneQueryIsOneTraceFromTheIngressRequestThroughTheQueueToTheLlmCall() throws Exception {
        try (Stack stack = tracedStack()) {
            for (int i = 0; i < 5; i++) { // warm: the trace below shows a query's own costs, not class loading
                try (SseClient.Stream warm = SseClient.post(stack.url("/api/v1/query"), QUERY, Stack.auth())) {
                    assertThat(warm.drain().getLast().event()).isEqualTo("done");
                }
            }
            String id;
            try (SseClient.Stream stream = SseClient.post(stack.url("/api/v1/query"), QUERY, Stack.auth())) {
                assertThat(stream.status()).isEqualTo(200);
                id = stream.header("x-request-id");
                assertThat(stream.drain().getLast().event()).isEqualTo("done");
            }
            ServiceProcess ingress = stack.ingresses.getFirst();
            ServiceProcess worker = stack.workers.getFirst();
            List<ExportedSpan> jobSpans = new ArrayList<>();
            Waits.until("the worker's span of the job in its log", Duration.ofSeconds(30), () -> {
                jobSpans.clear();
                spans(worker).stream()
                        .filter(s -> s.attribute("agentic.request_id").equals(id))
                        .forEach(jobSpans::add);
                return !jobSpans.isEmpty();
            });
            ExportedSpan job = jobSpans.getFirst();
            String trace = job.traceId();
            List<ExportedSpan> all = new ArrayList<>();
            Waits.until("the ingress's spans of the trace", Duration.ofSeconds(30), () -> {
                all.clear();
                spans(ingress).stream().filter(s -> s.traceId().equals(trace)).forEach(all::add);
                return all.stream().anyMatch(s -> s.kind() == SPAN_KIND_SERVER);
            });
            spans(worker).stream().filter(s -> s.traceId().equals(trace)).forEach(all::add);
            all.sort(Comparator.comparingLong(ExportedSpan::startNanos));
            long origin = all.getFirst().startNanos();
            System.out.println("trace " + trace + " of query " + id + ":");
            for (ExportedSpan span : all) {
                System.out.printf(
                        Locale.ROOT,
                        "  %-8s +%7.1f ms %7.1f ms  kind %d  %s%n",
                        span.service(),
                        (span.startNanos() - origin) / 1e6,
                        span.millis(),
                        span.kind(),
                        span.name());
            }

            ExportedSpan server = all.stream()
                    .filter(s -> s.service().equals("ingress-1") && s.kind() == SPAN_KIND_SERVER)
                    .findFirst()
                    .orElseThrow();
            assertThat(server.name()).contains("/api/v1/query");
            assertThat(job.kind()).isEqualTo(SPAN_KIND_CONSUMER);
            assertThat(job.name()).isEqualTo("agent general");
            assertThat(ancestors(job, all))
                    .as("the job's span descends from the ingress's request")
                    .contains(server);
            assertThat(all)
                    .as("the LLM call, a child of the job's span")
                    .anyMatch(s -> s.service().equals("worker-1")
                            && s.kind() == SPAN_KIND_CLIENT
                            && ancestors(s, all).contains(job)
                            && !s.attribute("url.full").isEmpty()
                            && s.attribute("url.full").contains("/chat/completions"));
            assertThat(all)
                    .as("Redis commands of the worker inside the job's span")
                    .anyMatch(s -> s.service().equals("worker-1")
                            && s.kind() == SPAN_KIND_CLIENT
                            && (s.attribute("db.system").equals("redis")
                                    || s.attribute("db.system.name").equals("redis"))
                            && ancestors(s, all).contains(job));
        }
    }

    @Test
    void theAgentsCostOnTheTimeToFirstToken() throws Exception {
        double without;
        try (Stack stack = new Stack(1, 1)) {
            without = medianFirstTokenMillis(stack);
        }
        double with;
        try (Stack stack = tracedStack()) {
            with = medianFirstTokenMillis(stack);
        }
        System.out.printf(
                Locale.ROOT,
                "median time to first token, 30 sequential general queries: without the agent %.1f ms, with it %.1f ms"
                        + " (%+.1f ms)%n",
                without,
                with,
                with - without);
        assertThat(with).as("a traced stack still answers").isPositive();
    }

    private static Stack tracedStack() {
        Path agent = Path.of(System.getProperty("otel.javaagent", "target/otel/opentelemetry-javaagent.jar"));
        assertThat(agent)
                .as("the agent the e2e build copies from Maven Central")
                .isRegularFile();
        return new Stack(
                1,
                1,
                2,
                List.of(),
                worker -> List.of(),
                service -> Map.of(
                        "JAVA_TOOL_OPTIONS", "-javaagent:" + agent.toAbsolutePath(),
                        "OTEL_SERVICE_NAME", service,
                        "OTEL_TRACES_EXPORTER", "logging-otlp",
                        "OTEL_METRICS_EXPORTER", "none",
                        "OTEL_LOGS_EXPORTER", "none",
                        "OTEL_BSP_SCHEDULE_DELAY", "200"));
    }

    private static double medianFirstTokenMillis(Stack stack) {
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            long sent = System.nanoTime();
            try (SseClient.Stream stream = SseClient.post(stack.url("/api/v1/query"), QUERY, Stack.auth())) {
                List<Frame> frames = stream.drain();
                Frame token = frames.stream()
                        .filter(f -> f.event().equals("token"))
                        .findFirst()
                        .orElseThrow();
                if (i >= 5) { // the first few warm the JVMs up
                    samples.add((token.receivedNanos() - sent) / 1e6);
                }
            }
        }
        samples.sort(Double::compare);
        return samples.get(samples.size() / 2);
    }

    /** The spans the agent exported from this process so far (OTLP JSON lines in its log). */
    private static List<ExportedSpan> spans(ServiceProcess process) {
        List<ExportedSpan> spans = new ArrayList<>();
        for (String line : process.log().lines().toList()) {
            int start = line.indexOf("{\"resource\"");
            if (start < 0 || !line.contains("scopeSpans")) {
                continue;
            }
            JsonNode batch = JSON.readTree(line.substring(start));
            for (JsonNode scope : batch.path("scopeSpans")) {
                for (JsonNode span : scope.path("spans")) {
                    spans.add(new ExportedSpan(
                            process.name(),
                            span.path("traceId").asString(),
                            span.path("spanId").asString(),
                            span.path("parentSpanId").asString(),
                            span.path("name").asString(),
                            span.path("kind").asInt(),
                            Long.parseLong(span.path("startTimeUnixNano").asString()),
                            Long.parseLong(span.path("endTimeUnixNano").asString()),
                            span.path("attributes")));
                }
            }
        }
        return spans;
    }

    private static List<ExportedSpan> ancestors(ExportedSpan span, List<ExportedSpan> all) {
        List<ExportedSpan> chain = new ArrayList<>();
        ExportedSpan current = span;
        while (!current.parentSpanId().isEmpty()) {
            String parent = current.parentSpanId();
            current = all.stream()
                    .filter(s -> s.spanId().equals(parent))
                    .findFirst()
                    .orElse(null);
            if (current == null) {
                break;
            }
            chain.add(current);
        }
        return chain;
    }
}
