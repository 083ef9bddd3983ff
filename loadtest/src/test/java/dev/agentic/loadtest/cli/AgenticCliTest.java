package dev.agentic.loadtest.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real HTTP server (the JDK's) that answers as the ingress does. */
class AgenticCliTest {
    private static final String KEY = "agk_0123456789abcdef_cli-test-secret-0123456789";

    /** What the server received. */
    record Received(String method, String path, Map<String, String> query, Map<String, String> headers, String body) {}

    /** How the server answers the next requests. */
    interface Answer {
        void answer(HttpExchange exchange, Received request) throws IOException;
    }

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Answer answer = (exchange, request) -> respond(exchange, 500, "text/plain", "no answer set");
    private final Map<String, String> env = new HashMap<>();

    @TempDir
    Path temp;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Received request = new Received(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    query(exchange.getRequestURI().getRawQuery()),
                    Map.of(
                            "Accept", header(exchange, "Accept"),
                            "Authorization", header(exchange, "Authorization"),
                            "Content-Type", header(exchange, "Content-Type")),
                    new String(exchange.getRequestBody().readAllBytes(), UTF_8));
            received.add(request);
            answer.answer(exchange, request);
            exchange.close();
        });
        server.start();
        env.put("AGENTIC_PORT", Integer.toString(server.getAddress().getPort()));
        env.put("AGENTIC_API_KEY", KEY);
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    // --- query -----------------------------------------------------------------------------------

    @Test
    void queryPrintsTokensOnStdoutAndOtherEventsOnStderr() {
        answer = sse(
                "event: queued\ndata: {\"lane\":\"interactive\"}\n\n",
                ":heartbeat\n\n",
                "event: start\ndata: {\"worker\":\"worker-1\",\"attempt\":1}\n\n",
                "event: tool_start\ndata: {\"tool\":\"calculator\",\"input\":\"2+2\"}\n\n",
                "event: tool_end\ndata: {\"tool\":\"calculator\",\"output\":\"4\"}\n\n",
                "event: token\ndata: {\"text\":\"2+2 = \"}\n\n",
                "event: token\ndata: {\"text\":\"4\"}\n\n",
                "event: done\ndata: {\"usage\":{\"tokens_in\":5,\"tokens_out\":2,\"cost_usd\":0.0},"
                        + "\"finish_reason\":\"stop\"}\n\n");

        Run run = cli("query", "What is 2+2?");

        assertThat(run.code()).as("%s", run).isZero();
        assertThat(run.out()).isEqualTo("2+2 = 4\n");
        assertThat(run.err()).isEqualTo("""
                        [queued on interactive]
                        [started by worker-1, attempt 1]
                        [calculator <- 2+2]
                        [calculator -> 4]
                        [done: stop, tokens in 5 out 2, cost 0 USD]
                        """);
        Received request = received.getFirst();
        assertThat(request.path()).isEqualTo("/api/v1/query");
        assertThat(request.headers())
                .containsEntry("Accept", "text/event-stream")
                .containsEntry("Authorization", "Bearer " + KEY)
                .containsEntry("Content-Type", "application/json");
        assertThat(request.body()).contains("\"query\":\"What is 2+2?\"").contains("\"agent_type\":\"math\"");
    }

    @Test
    void queryPrintsUnicodeEscapesAsTheCharactersTheyStandFor() {
        answer = sse(
                "event: token\ndata: {\"text\":\"caf\\u00e9 \\ud83d\\ude80 \"}\n\n",
                "event: token\ndata: {\"text\":\"Grüße, 東京\"}\n\n",
                "event: done\ndata: {\"usage\":{\"tokens_in\":1,\"tokens_out\":2,\"cost_usd\":0.25},"
                        + "\"finish_reason\":\"stop\"}\n\n");

        Run run = cli("query", "--agent", "general", "naïve ☃ query");

        assertThat(run.out()).isEqualTo("café 🚀 Grüße, 東京\n");
        assertThat(run.err()).contains("cost 0.25 USD");
        assertThat(received.getFirst().body())
                .contains("\"query\":\"naïve ☃ query\"")
                .contains("\"agent_type\":\"general\"");
    }

    @Test
    void queryJoinsAnEventWhoseDataSpansSeveralLines() {
        answer = sse(
                "event: token\ndata: {\"text\":\ndata: \"line one\\nline two\"}\n\n",
                "event: metadata\ndata: {\"values\":\ndata: {\"model\":\"sim\"}}\n\n",
                "event: done\ndata: {\"usage\":{\"tokens_in\":1,\"tokens_out\":1,\"cost_usd\":0},"
                        + "\"finish_reason\":\"stop\"}\n\n");

        Run run = cli("query", "two lines");

        assertThat(run.code()).as("%s", run).isZero();
        assertThat(run.out()).isEqualTo("line one\nline two\n");
        assertThat(run.err()).contains("[metadata {\"model\":\"sim\"}]");
    }

    @Test
    void queryEndsTheAnswerLineBeforeARestartNoteAndExits3OnAnErrorEvent() {
        answer = sse(
                "event: token\ndata: {\"text\":\"partial\"}\n\n",
                "event: restart\ndata: {\"attempt\":2,\"reason\":\"worker lost\"}\n\n",
                "event: error\ndata: {\"code\":\"deadline_exceeded\",\"message\":\"too slow \\u2014 sorry\","
                        + "\"retryable\":true}\n\n");

        Run run = cli("query", "slow");

        assertThat(run.code()).as("%s", run).isEqualTo(3);
        assertThat(run.out()).isEqualTo("partial\n");
        assertThat(run.err())
                .contains("[restart: attempt 2 begins; the text above is void]")
                .contains("[error deadline_exceeded: too slow — sorry]");
    }

    @Test
    void queryShowsARefusalAndExits1() {
        answer = (exchange, request) ->
                respond(exchange, 429, "application/problem+json", "{\"status\":429,\"title\":\"Too Many Requests\"}");

        Run run = cli("query", "hi");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).contains("Too Many Requests");
        assertThat(run.err()).contains("agentic: HTTP 429 from http://127.0.0.1:");
    }

    @Test
    void queryExplainsA401() {
        answer = (exchange, request) -> respond(exchange, 401, "application/problem+json", "{\"status\":401}");

        Run run = cli("query", "hi");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("the API key was refused").contains("AGENTIC_API_KEY");
    }

    @Test
    void queryJsonWaitsForTheJsonAnswerAndEndsItWithANewline() {
        answer = (exchange, request) -> respond(exchange, 200, "application/json", "{\"answer\":\"4 ✓\"}");

        Run run = cli("query", "--json", "What is 2+2?");

        assertThat(run.code()).as("%s", run).isZero();
        assertThat(run.out()).isEqualTo("{\"answer\":\"4 ✓\"}\n");
        assertThat(received.getFirst().headers()).containsEntry("Accept", "application/json");
    }

    @Test
    void queryRawCopiesTheFramesAsTheyArrive() {
        String frames = "event: token\ndata: {\"text\":\"\\u00e9\"}\n\nevent: done\ndata: {}\n\n";
        answer = sse(frames);

        Run run = cli("query", "--raw", "--", "--not-an-option");

        assertThat(run.code()).as("%s", run).isZero();
        assertThat(run.out()).isEqualTo(frames);
        assertThat(received.getFirst().body()).contains("\"query\":\"--not-an-option\"");
    }

    @Test
    void queryWithoutTextOrWithAnUnknownOptionSendsNothing() {
        assertThat(cli("query").err()).contains("usage: bin/agentic query");
        assertThat(cli("query", "--verbose", "hi").code()).isEqualTo(1);
        assertThat(received).isEmpty();
    }

    @Test
    void queryTellsToStartTheStackWhenNothingListens() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        env.put("AGENTIC_PORT", Integer.toString(closedPort));

        Run run = cli("query", "hi");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err())
                .contains("nothing answers at http://127.0.0.1:" + closedPort)
                .contains("bin/agentic up");
    }

    // --- the API key -----------------------------------------------------------------------------

    @Test
    void readsTheKeyFromTheKeyFileWhenAgenticApiKeyIsUnset() throws IOException {
        env.remove("AGENTIC_API_KEY");
        Path keyFile = temp.resolve("admin-key");
        Files.writeString(keyFile, KEY + "\n");
        answer = (exchange, request) -> respond(exchange, 200, "application/json", "{}");

        Run run = cli("--key-file=" + keyFile, "query", "--json", "hi");

        assertThat(run.code()).as("%s", run).isZero();
        assertThat(received.getFirst().headers()).containsEntry("Authorization", "Bearer " + KEY);
    }

    @Test
    void refusesAMissingOrMalformedKey() {
        env.remove("AGENTIC_API_KEY");
        Run missing = cli("--key-file=" + temp.resolve("none"), "query", "hi");
        env.put("AGENTIC_API_KEY", "not-a-key");
        Run malformed = cli("query", "hi");

        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no API key").contains("bin/agentic up");
        assertThat(malformed.code()).isEqualTo(1);
        assertThat(malformed.err()).contains("not of the form agk_<id>_<secret>");
        assertThat(received).isEmpty();
    }

    // --- ingest ----------------------------------------------------------------------------------

    @Test
    void ingestWalksDirectoriesInPathOrderAndSendsEachDocument() throws IOException {
        Path docs = Files.createDirectories(temp.resolve("docs"));
        Files.writeString(docs.resolve("b.md"), "intro\n# Bé title\ntext", UTF_8);
        Files.createDirectories(docs.resolve("a"));
        Files.writeString(docs.resolve("a/notes.txt"), "plain notes", UTF_8);
        Files.writeString(docs.resolve("a/c.markdown"), "no heading", UTF_8);
        Files.writeString(docs.resolve("image.png"), "not a document", UTF_8);
        Path single = Files.writeString(temp.resolve("single file.md"), "# One", UTF_8);
        answer = (exchange, request) -> respondSse(
                exchange,
                "event: token\ndata: {\"text\":\"Ingested " + request.query().get("id") + "\"}\n\n"
                        + "event: done\ndata: {\"usage\":{\"tokens_in\":0,\"tokens_out\":0,\"cost_usd\":0},"
                        + "\"finish_reason\":\"stop\"}\n\n");

        Run run = cli("ingest", docs.toString(), single.toString());

        assertThat(run.code()).as("%s", run).isZero();
        assertThat(received)
                .extracting(r -> r.query().get("id"))
                .containsExactly(
                        docs + "/a/c.markdown", docs + "/a/notes.txt", docs + "/b.md", temp + "/single file.md");
        assertThat(received)
                .extracting(r -> r.query().get("title"))
                .containsExactly("c.markdown", "notes.txt", "Bé title", "One");
        assertThat(received)
                .extracting(r -> r.headers().get("Content-Type"))
                .containsExactly(
                        "text/markdown; charset=utf-8",
                        "text/plain; charset=utf-8",
                        "text/markdown; charset=utf-8",
                        "text/markdown; charset=utf-8");
        assertThat(received.get(2).body()).isEqualTo("intro\n# Bé title\ntext");
        assertThat(received).allSatisfy(r -> assertThat(r.path()).isEqualTo("/api/v1/documents"));
        assertThat(run.out().lines()).hasSize(4).first().isEqualTo("Ingested " + docs + "/a/c.markdown");
    }

    @Test
    void ingestQuietCountsAndFailsWhenADocumentIsRefused() throws IOException {
        Path docs = Files.createDirectories(temp.resolve("docs"));
        Files.writeString(docs.resolve("good.md"), "fine", UTF_8);
        Files.writeString(docs.resolve("huge.md"), "too big", UTF_8);
        answer = (exchange, request) -> {
            if (request.query().get("id").endsWith("huge.md")) {
                respondSse(
                        exchange,
                        "event: error\ndata: {\"code\":\"too_large\",\"message\":\"over the limit\","
                                + "\"retryable\":false}\n\n");
            } else {
                respondSse(exchange, "event: done\ndata: {\"finish_reason\":\"stop\"}\n\n");
            }
        };

        Run run = cli("ingest", "--quiet", docs.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("Ingested 1 document into the knowledge base.\n");
        assertThat(run.err())
                .contains("ingest " + docs + "/huge.md: ERROR too_large: over the limit")
                .contains("1 of 2 documents were not ingested");
    }

    @Test
    void ingestOfAMissingPathSendsNothing() {
        Run run = cli("ingest", temp.resolve("README.md").toString(), temp.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("no such file or directory: " + temp.resolve("README.md"));
        assertThat(received).isEmpty();
    }

    @Test
    void ingestIdDropsALeadingDotSlash() {
        assertThat(IngestCommand.id(Path.of("./docs/a.md"))).isEqualTo("docs/a.md");
        assertThat(IngestCommand.id(Path.of("docs/a.md"))).isEqualTo("docs/a.md");
    }

    // -----------------------------------------------------------------------------------------

    record Run(int code, String out, String err) {}

    private Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new AgenticCli(new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8), env)
                .run(List.of(args));
        return new Run(code, out.toString(UTF_8), err.toString(UTF_8));
    }

    /** Answers 200 with an event stream, each chunk flushed on its own. */
    private static Answer sse(String... chunks) {
        return (exchange, request) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                for (String chunk : chunks) {
                    body.write(chunk.getBytes(UTF_8));
                    body.flush();
                }
            }
        };
    }

    private static void respondSse(HttpExchange exchange, String text) throws IOException {
        sse(text).answer(exchange, null);
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String header(HttpExchange exchange, String name) {
        String value = exchange.getRequestHeaders().getFirst(name);
        return value == null ? "" : value;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                values.put(
                        URLDecoder.decode(pair.substring(0, eq), UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), UTF_8));
            }
        }
        return values;
    }
}
