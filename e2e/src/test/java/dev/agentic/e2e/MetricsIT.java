package dev.agentic.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.testsupport.Binaries;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import dev.agentic.testsupport.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What the instances export, read from their real scrapes: the lag is the number KEDA reads from
 * Redis, and each scrape passes {@code promtool check metrics}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MetricsIT {
    /** The sampler's interval (agentic.admission.sample-interval, 1 s) and a scrape's worth of slack. */
    private static final Duration ONE_SAMPLE = Duration.ofSeconds(3);

    private static final Pattern INTERACTIVE_LAG =
            Pattern.compile("(?m)^agentic_queue_lag\\{[^}]*lane=\"interactive\"[^}]*} (\\S+)$");

    private static final Pattern SERIES = Pattern.compile("\\bagentic_[a-z_]+");

    private final HttpClient http = HttpClient.newHttpClient();
    private Stack stack;

    @BeforeEach
    void start() {
        // Per-command Redis latency is opt-in: on here, so promtool reads those series too.
        List<String> timed = List.of("--agentic.redis.command-latency=true");
        stack = new Stack(1, 1, 4, timed, worker -> timed);
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    @Test
    void theExportedLagIsTheLagKedaReadsAsJobsArriveAndDrain() throws Exception {
        stack.workers.getFirst().pause(); // the lag holds still while it is compared
        List<SseClient.Stream> streams = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            SseClient.Stream stream = SseClient.post(
                    stack.url("/api/v1/query"),
                    "{\"query\":\"sleep 200\",\"agent_type\":\"diagnostic\"}",
                    Stack.auth());
            assertThat(stream.next()).extracting(Frame::event).isEqualTo("queued");
            streams.add(stream);
        }
        long waiting = groupLag();
        assertThat(waiting)
                .as("jobs no worker has read (the paused one may hold a read's worth)")
                .isBetween(6L, 10L);
        Waits.until("the exported lag equals XINFO GROUPS' lag", ONE_SAMPLE, () -> exportedLag() == groupLag());

        stack.workers.getFirst().resume();
        for (SseClient.Stream stream : streams) {
            List<Frame> rest = stream.drain();
            assertThat(rest.getLast().event()).isEqualTo("done");
            stream.close();
        }
        assertThat(groupLag()).isZero();
        Waits.until("the exported lag follows to 0", ONE_SAMPLE, () -> exportedLag() == 0);
    }

    @Test
    void promtoolAcceptsEachInstancesScrape() throws Exception {
        try (SseClient.Stream stream = SseClient.post(
                stack.url("/api/v1/query"), "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}", Stack.auth())) {
            assertThat(stream.drain().getLast().event()).isEqualTo("done"); // every meter has a value
        }
        Path promtool = Binaries.require("promtool", "prometheus");
        for (String url : List.of(
                "http://127.0.0.1:" + stack.ingressPorts.getFirst() + "/actuator/prometheus",
                "http://127.0.0.1:" + stack.workerPorts.getFirst() + "/actuator/prometheus")) {
            String scrape = scrape(url);
            assertThat(scrape).contains("agentic_");
            assertThat(scrape)
                    .as("each Redis command's latency, in the SLO buckets")
                    .containsPattern(
                            "(?m)^lettuce_command_completion_seconds_bucket\\{[^}]*command=\"EVALSHA\"[^}]*le=\"0\\.001\"");
            Process check = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectErrorStream(true)
                    .start();
            check.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
            check.getOutputStream().close();
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue())
                    .as("promtool check metrics on %s:%n%s", url, out)
                    .isZero();
        }
    }

    /**
     * Every series the dashboard and the alert rules read is in a real scrape of a fresh stack that
     * served one query. Counters they read with {@code rate()} or {@code increase()} are there at 0
     * before their first event: a counter born at 1 gives {@code increase()} nothing, so an
     * instance's first dead letter or lag repair would never fire its alert.
     */
    @Test
    void everySeriesTheDashboardAndAlertsReadIsInARealScrape() throws Exception {
        try (SseClient.Stream stream = SseClient.post(
                stack.url("/api/v1/query"), "{\"query\":\"What is 3+4?\",\"agent_type\":\"math\"}", Stack.auth())) {
            assertThat(stream.drain().getLast().event()).isEqualTo("done");
        }
        Set<String> read = new TreeSet<>();
        JsonMapper json = JsonMapper.builder().build();
        json.readTree(Stack.root()
                        .resolve("compose/grafana/dashboards/agentic.json")
                        .toFile())
                .path("panels")
                .forEach(panel -> panel.path("targets")
                        .forEach(t -> read.addAll(series(t.path("expr").asString()))));
        new YAMLMapper()
                .readTree(Stack.root().resolve("compose/prometheus/alerts.yml").toFile())
                .path("groups")
                .forEach(group -> group.path("rules")
                        .forEach(rule -> read.addAll(series(rule.path("expr").asString()))));
        assertThat(read).contains("agentic_queue_lag", "agentic_jobs_dead_lettered_total", "agentic_worker_slots");

        String scrapes = scrape("http://127.0.0.1:" + stack.ingressPorts.getFirst() + "/actuator/prometheus")
                + scrape("http://127.0.0.1:" + stack.workerPorts.getFirst() + "/actuator/prometheus");
        Set<String> exported = new TreeSet<>();
        scrapes.lines()
                .filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> exported.add(line.split("[{ ]", 2)[0]));
        assertThat(exported).as("series in the scrapes").containsAll(read);
        for (Lane lane : Lane.values()) {
            for (String counter : List.of(
                    "agentic_jobs_dead_lettered_total",
                    "agentic_jobs_reclaimed_total",
                    "agentic_queue_lag_repairs_total")) {
                assertThat(scrapes)
                        .as("%s{lane=%s} at 0 before its first event", counter, lane.wireName())
                        .containsPattern("(?m)^" + counter + "\\{[^}]*lane=\"" + lane.wireName() + "\"[^}]*} 0\\.0$");
            }
        }
    }

    /** The agentic_ series a PromQL expression reads. */
    private static Set<String> series(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = SERIES.matcher(expr);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private long groupLag() {
        List<Object> groups = stack.connection.sync().xinfoGroups(RedisKeys.queue(Lane.INTERACTIVE));
        @SuppressWarnings("unchecked")
        List<Object> fields = (List<Object>) groups.getFirst();
        return (Long) fields.get(fields.indexOf("lag") + 1);
    }

    private long exportedLag() {
        Matcher lag = INTERACTIVE_LAG.matcher(
                scrape("http://127.0.0.1:" + stack.ingressPorts.getFirst() + "/actuator/prometheus"));
        assertThat(lag.find())
                .as("agentic_queue_lag{lane=\"interactive\"} in the scrape")
                .isTrue();
        return (long) Double.parseDouble(lag.group(1));
    }

    private String scrape(String url) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
