package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.testsupport.Binaries;
import dev.agentic.testsupport.DnsStub;
import dev.agentic.testsupport.FreePorts;
import dev.agentic.testsupport.NginxServer;
import dev.agentic.testsupport.NginxServer.ClientLimits;
import dev.agentic.testsupport.NginxServer.Options;
import dev.agentic.testsupport.NginxServer.Tls;
import dev.agentic.testsupport.SelfSignedCertificate;
import dev.agentic.testsupport.Waits;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final Map<String, HttpServer> upstreams = new HashMap<>();

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

    @Test
    void servesTlsWithHttp2AndPassesEventsThroughToCurl() throws Exception {
        Path dir = Files.createTempDirectory("agentic-tls-");
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir);
        NginxServer nginx = nginx(Options.listed(List.of(upstream()))
                .withTls(new Tls(FreePorts.next(), certificate.certificate(), certificate.key())));

        // The certificate is verified (--cacert), not skipped (-k).
        String out = curl(
                "--http2",
                "--cacert",
                certificate.certificate().toString(),
                "-w",
                "\n%{http_version}",
                nginx.tlsUrl() + "/api/v1/events");
        assertThat(out)
                .contains("event: token\ndata: a\n\nevent: done\ndata: {}\n\n")
                .endsWith("\n2");
        // Plain HTTP on the other port still works.
        assertThat(get(nginx, "/api/v1/monitoring/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void adminPathsAnswerOnlyTheAllowedNetworksHoweverTheyAreSpelled() throws Exception {
        int upstream = upstream();
        NginxServer closed = nginx(Options.listed(List.of(upstream)).withAdminAllow(List.of("10.0.0.0/8")));
        for (String path : List.of(
                "/api/v1/admin/keys",
                "/api/v1/admin;x/keys",
                "/api/v1/%61dmin/keys",
                "/api/v1//admin/keys",
                "/api/v1/x/../admin/keys")) {
            HttpResponse<String> response = get(closed, path);
            assertThat(response.statusCode()).as(path).isEqualTo(403);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
            assertThat(response.body()).contains("\"code\":\"forbidden_address\"");
        }
        assertThat(get(closed, "/api/v1/monitoring/ready").statusCode()).isEqualTo(200);

        NginxServer loopback = nginx(Options.listed(List.of(upstream)));
        assertThat(get(loopback, "/api/v1/admin/keys").statusCode()).isEqualTo(200);
    }

    @Test
    void pathParametersNeverReachTheIngressSoNoPathSlipsPastTheBlockedOnes() throws Exception {
        // The ingress maps /api/v1;x/admin/keys to /api/v1/admin/keys (EndToEndIT shows it).
        NginxServer nginx = nginx(Options.listed(List.of(upstream())));
        for (String path : List.of("/api/v1;x/admin/keys", "/;x/actuator/health", "/api/v1/queries/1;x/events")) {
            HttpResponse<String> response = get(nginx, path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).contains("\"code\":\"not_found\"");
        }
    }

    @Test
    void findsTheIngressesByDnsAndFollowsAScaleOutAndAScaleIn() throws Exception {
        int port = FreePorts.next();
        upstream("127.0.0.2", port);
        upstream("127.0.0.3", port);
        DnsStub dns = DnsStub.start("ingress", List.of("127.0.0.2"));
        started.add(dns);
        NginxServer nginx = nginx(Options.resolved("127.0.0.1:" + dns.port(), "ingress:" + port));

        assertThat(answeredBy(nginx, 10)).containsOnly("127.0.0.2");

        dns.answer(List.of("127.0.0.2", "127.0.0.3")); // docker compose up --scale ingress=2
        Waits.until(
                "Nginx sends requests to the new ingress",
                Duration.ofSeconds(20),
                () -> answeredBy(nginx, 20).containsAll(List.of("127.0.0.2", "127.0.0.3")));

        stopUpstream("127.0.0.2"); // a replica stops before the DNS forgets it: its connects fail over
        assertThat(answeredBy(nginx, 20)).containsOnly("127.0.0.3");
    }

    @Test
    void composeUsesTheTemplateRenderedInItsDnsMode() throws Exception {
        Path file = Path.of("..", "compose", "nginx", "nginx.conf");
        String rendered = NginxServer.renderForCompose(Files.readString(TEMPLATE));
        if (Boolean.getBoolean("nginx.write-compose")) {
            Files.writeString(file, rendered);
        }
        assertThat(file).as("regenerate it with -Dnginx.write-compose=true").hasContent(rendered);
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
        return nginx(Options.listed(upstreams).withLimits(limits));
    }

    private NginxServer nginx(Options options) {
        NginxServer nginx = NginxServer.start(TEMPLATE, options);
        started.add(nginx);
        return nginx;
    }

    /** An ingress stand-in on 127.0.0.1 that answers every request 200. */
    private int upstream() throws IOException {
        return upstream("127.0.0.1", 0);
    }

    /**
     * An ingress stand-in: 200 with the address it listens on and the body's length, or two SSE
     * events at {@code /api/v1/events}.
     */
    private int upstream(String address, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 0);
        server.createContext("/", exchange -> {
            long received = exchange.getRequestBody().readAllBytes().length;
            boolean events = exchange.getRequestURI().getPath().equals("/api/v1/events");
            byte[] body = (events
                            ? "event: token\ndata: a\n\nevent: done\ndata: {}\n\n"
                            : "{\"status\":\"UP\",\"received\":" + received + ",\"who\":\"" + address + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", events ? "text/event-stream" : "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        upstreams.put(address, server);
        started.add(() -> server.stop(0));
        return server.getAddress().getPort();
    }

    private void stopUpstream(String address) {
        upstreams.remove(address).stop(0);
    }

    /** Which stand-ins answered {@code count} requests through Nginx; every one must succeed. */
    private Set<String> answeredBy(NginxServer nginx, int count) {
        Set<String> who = new HashSet<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> response;
            try {
                response = get(nginx, "/api/v1/monitoring/ready");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Matcher matcher = Pattern.compile("\"who\":\"([0-9.]+)\"").matcher(response.body());
            assertThat(matcher.find()).isTrue();
            who.add(matcher.group(1));
        }
        return who;
    }

    private static String curl(String... args) throws Exception {
        Path curl = Binaries.require("curl", "curl");
        List<String> command = new ArrayList<>(List.of(curl.toString(), "-sS", "--max-time", "20"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        return out;
    }

    private HttpResponse<String> get(NginxServer nginx, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(nginx.baseUrl() + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
