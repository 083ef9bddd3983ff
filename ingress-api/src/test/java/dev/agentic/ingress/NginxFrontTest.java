package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.testsupport.FreePorts;
import dev.agentic.testsupport.NginxServer;
import dev.agentic.testsupport.NginxServer.ClientLimits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The project's Nginx template, rendered as the stacks render it, run as a real Nginx in front of a
 * tiny HTTP server standing in for the ingress: its per-client limits and its own error pages.
 */
class NginxFrontTest {
    private static final Path TEMPLATE = Path.of("..", "nginx", "agentic.conf.template");
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : started.reversed()) {
            closeable.close();
        }
    }

    @Test
    void refusesAClientOverItsRateWith429ProblemJsonBeforeTheIngress() throws Exception {
        NginxServer nginx = nginx(List.of(upstream()), new ClientLimits(1, 2, 100));
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            responses.add(get(nginx, "/api/v1/monitoring/ready"));
        }
        assertThat(responses).extracting(HttpResponse::statusCode).contains(200, 429);
        HttpResponse<String> refused = responses.stream()
                .filter(r -> r.statusCode() == 429)
                .findFirst()
                .orElseThrow();
        assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
        assertThat(refused.body()).contains("\"status\":429", "\"code\":\"client_rate_limited\"");
    }

    @Test
    void answersItsOwnFailuresAsProblemJsonNotHtml() throws Exception {
        NginxServer nginx = nginx(List.of(FreePorts.next()), ClientLimits.DEFAULTS); // nobody listens there
        HttpResponse<String> noIngress = get(nginx, "/api/v1/query");
        assertThat(noIngress.statusCode()).isEqualTo(502);
        assertThat(noIngress.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(noIngress.body())
                .contains("\"code\":\"ingress_unavailable\"")
                .doesNotContain("<html");

        HttpResponse<String> tooLarge = http.send(
                HttpRequest.newBuilder(URI.create(nginx.baseUrl() + "/api/v1/documents"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[3 * 1024 * 1024]))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(tooLarge.body()).contains("\"code\":\"body_too_large\"");
    }

    @Test
    void passesADocumentLargerThanNginxsMemoryBufferToTheIngress() throws Exception {
        // Bodies over client_body_buffer_size (16 KB) go through a temp file that Nginx's worker
        // processes (run as "nobody" under root) must be able to write: a 1 MB document got a 500.
        NginxServer nginx = nginx(List.of(upstream()), ClientLimits.DEFAULTS);
        HttpResponse<String> document = http.send(
                HttpRequest.newBuilder(URI.create(nginx.baseUrl() + "/api/v1/documents"))
                        .header("Content-Type", "text/markdown")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1024 * 1024]))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(document.statusCode()).as(document.body()).isEqualTo(200);
        assertThat(document.body()).contains("\"received\":1048576");
    }

    @Test
    void aJsonWaitOutlastsTheLongestDeadlinePlusGraceWhileOtherPathsKeepTheShortTimeout() throws Exception {
        NginxServer nginx = nginx(List.of(upstream()), ClientLimits.DEFAULTS);
        String conf = Files.readString(nginx.prefix().resolve("nginx.conf"));
        IngressProperties.Ingress defaults = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("agentic", IngressProperties.class)
                .ingress();
        Duration longestWait = defaults.maxDeadline().plus(defaults.terminalGrace());

        assertThat(readTimeout(conf, "location = /api/v1/query")).isGreaterThan(longestWait);
        assertThat(readTimeout(conf, "location / ")).isLessThan(Duration.ofMinutes(5));
        assertThat(conf).doesNotContain("{{");
    }

    private static Duration readTimeout(String conf, String location) {
        int start = conf.indexOf(location);
        assertThat(start).as(location).isNotNegative();
        Matcher timeout = Pattern.compile("proxy_read_timeout (\\d+)s;").matcher(conf);
        assertThat(timeout.find(start)).as("read timeout of " + location).isTrue();
        assertThat(timeout.start()).isLessThan(conf.indexOf('}', start));
        return Duration.ofSeconds(Long.parseLong(timeout.group(1)));
    }

    private NginxServer nginx(List<Integer> upstreams, ClientLimits limits) {
        NginxServer nginx = NginxServer.start(TEMPLATE, upstreams, limits);
        started.add(nginx);
        return nginx;
    }

    /** An ingress stand-in that answers every request 200. */
    private int upstream() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            long received = exchange.getRequestBody().readAllBytes().length;
            byte[] body = ("{\"status\":\"UP\",\"received\":" + received + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        started.add(() -> server.stop(0));
        return server.getAddress().getPort();
    }

    private HttpResponse<String> get(NginxServer nginx, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(nginx.baseUrl() + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
