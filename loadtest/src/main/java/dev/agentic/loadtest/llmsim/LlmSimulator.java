package dev.agentic.loadtest.llmsim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * An OpenAI-compatible LLM <b>simulator</b> — not a model. It speaks the OpenAI/vLLM chat-completions
 * wire format and answers every request with deterministic filler text at a configurable pace, so the
 * system can be run and load-tested without a real model.
 *
 * <h2>The answer</h2>
 *
 * <p>Every answer is exactly {@code N} content tokens, where {@code N = min(outputTokens, max_tokens)}
 * ({@code max_completion_tokens} is preferred over {@code max_tokens}; either counts only when
 * positive). Token {@code i} (0-based) is the text {@code "sim" + i + " "}, so three tokens make the
 * text {@code "sim0 sim1 sim2 "}. The finish reason is {@code "stop"}, or {@code "length"} when {@code
 * max_tokens} cut the answer below {@code outputTokens}. Usage counts {@code prompt_tokens} as the
 * whitespace-separated words across all message contents (at least 1) and {@code completion_tokens}
 * as {@code N}.
 *
 * <h2>Tools</h2>
 *
 * <p>A request that offers {@code tools} (and whose {@code tool_choice} is not {@code "none"}) is
 * answered with one call of the tool {@code tool_choice} names, else of the first tool, finish reason
 * {@code "tool_calls"}: streamed as OpenAI does (a first chunk with the call's id and name, then its
 * arguments in two pieces). The arguments give each property of the tool's parameters schema a
 * value from the last user message: a string its text, an integer or number its word count, a
 * boolean {@code true}. A request whose last message is a tool's result ({@code role: "tool"}) is
 * answered with {@code "tool said: "} and that result, a token per word: so a test sees what reached
 * the model.
 *
 * <h2>Endpoints</h2>
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: with {@code "stream": true}, server-sent events — after
 *       {@code timeToFirstToken} one {@code chat.completion.chunk} per token, {@code interTokenDelay}
 *       apart (role {@code assistant} only in the first delta), then a chunk with an empty delta and the
 *       finish reason, then (with {@code stream_options.include_usage}) a chunk with {@code "choices":[]}
 *       and the usage, then {@code data: [DONE]}. Without streaming, one {@code chat.completion} after
 *       {@code timeToFirstToken + (N-1) * interTokenDelay}. Beyond {@code maxConcurrency} requests in
 *       flight: 429 with {@code Retry-After: 1} at once.
 *   <li>{@code GET /v1/models}: the one model, {@link SimulatorConfig#modelName()}.
 *   <li>{@code GET /health}: {@code {"status":"UP"}}; {@code GET /sim/stats}: the {@link
 *       SimulatorStats} as JSON.
 * </ul>
 *
 * <p>With an {@link SimulatorConfig#apiKey()}, {@code /v1/*} needs {@code Authorization: Bearer <key>}
 * (else 401). Errors use OpenAI's body: {@code {"error":{"message":..,"type":..,"code":..}}}. A client
 * that disconnects mid-stream stops the generation at the next write; it counts as cancelled.
 */
public final class LlmSimulator implements AutoCloseable {
    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    private static final int BACKLOG = 1024;
    private static final String JSON_TYPE = "application/json";

    private final SimulatorConfig config;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Semaphore slots;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private LlmSimulator(SimulatorConfig config, HttpServer server, ExecutorService executor) {
        this.config = config;
        this.server = server;
        this.executor = executor;
        this.slots = new Semaphore(config.maxConcurrency());
    }

    /**
     * Binds to {@link SimulatorConfig#host()} and {@link SimulatorConfig#port()} and starts serving.
     *
     * @throws UncheckedIOException when the address cannot be bound (e.g. the port is taken)
     */
    public static LlmSimulator start(SimulatorConfig config) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), BACKLOG);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        LlmSimulator simulator = new LlmSimulator(config, server, executor);
        server.setExecutor(executor);
        server.createContext("/", simulator::handle);
        server.start();
        return simulator;
    }

    /** The port it listens on (the one picked when configured with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The OpenAI base URL, e.g. {@code http://127.0.0.1:8090/v1}. */
    public String baseUrl() {
        String host = config.host();
        if (server.getAddress().getAddress().isAnyLocalAddress()) {
            host = "127.0.0.1";
        } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port() + "/v1";
    }

    public SimulatorConfig config() {
        return config;
    }

    public SimulatorStats stats() {
        return new SimulatorStats(active.get(), completed.get(), cancelled.get(), rejected.get());
    }

    /** Stops listening at once and ends the streams in flight (they count as cancelled). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.stop(0);
            executor.shutdownNow();
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                System.err.println("LLM simulator: some requests did not end within 5s of closing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Runs the simulator until the process is stopped (SIGTERM/Ctrl-C). Options: {@code --port=}, {@code
     * --ttft=}, {@code --inter-token=}, {@code --tokens=}, {@code --max-concurrency=}, {@code
     * --api-key=}, {@code --model=}, {@code --host=}; see {@link SimulatorConfig#fromArgs(String[])}.
     * Exits with 2 on a bad option, 1 when the port cannot be bound.
     */
    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            usage(System.out);
            return;
        }
        SimulatorConfig config;
        try {
            config = SimulatorConfig.fromArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("LLM simulator: " + e.getMessage());
            usage(System.err);
            System.exit(2);
            return;
        }
        LlmSimulator simulator;
        try {
            simulator = start(config);
        } catch (UncheckedIOException e) {
            System.err.println("LLM simulator: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "llmsim-shutdown"));
        System.out.println(
                "LLM simulator (not a model) listening on " + simulator.baseUrl() + " (" + config.describe() + ")");
        System.out.flush();
        simulator.awaitClosed();
    }

    private static void usage(PrintStream out) {
        out.println("usage: java -jar loadtest-exec.jar [--name=value ...]  (an LLM simulator, not a model)");
        SimulatorConfig d = SimulatorConfig.defaults();
        String[][] rows = {
            {"port", String.valueOf(d.port()), "port to listen on, 0 = any free port"},
            {"ttft", SimulatorConfig.formatDuration(d.timeToFirstToken()), "time to first token"},
            {"inter-token", SimulatorConfig.formatDuration(d.interTokenDelay()), "delay between tokens"},
            {"tokens", String.valueOf(d.outputTokens()), "tokens per answer"},
            {"max-concurrency", String.valueOf(d.maxConcurrency()), "chat requests at once, beyond: 429"},
            {"api-key", "(none)", "require Authorization: Bearer <key> on /v1/*"},
            {"model", d.modelName(), "model id reported"},
            {"host", d.host(), "address to bind to"},
        };
        for (String[] row : rows) {
            out.printf(
                    Locale.ROOT,
                    "  --%-16s env %-24s default %-22s %s%n",
                    row[0] + "=",
                    SimulatorConfig.OPTIONS.get(row[0]),
                    row[1],
                    row[2]);
        }
    }

    /** Blocks until {@link #close()} has run. */
    void awaitClosed() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- request handling ----

    private void handle(HttpExchange exchange) {
        try {
            route(exchange);
        } catch (IOException e) {
            // The client went away while we answered; nothing left to tell it.
        } catch (RuntimeException e) {
            if (exchange.getResponseCode() == -1) {
                try {
                    sendError(exchange, 500, "internal simulator error", "server_error", null);
                } catch (IOException | RuntimeException ignored) {
                    // Closing below is all that is left to do.
                }
            }
        } finally {
            try {
                exchange.close();
            } catch (RuntimeException ignored) {
                // The connection is gone either way.
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if ((path.equals("/v1") || path.startsWith("/v1/")) && !authorized(exchange)) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            sendError(
                    exchange,
                    401,
                    "missing or incorrect API key (send Authorization: Bearer <key>)",
                    "invalid_request_error",
                    "invalid_api_key");
            return;
        }
        switch (path) {
            case "/v1/chat/completions" -> {
                if (allow(exchange, "POST")) {
                    chat(exchange);
                }
            }
            case "/v1/models" -> {
                if (allow(exchange, "GET")) {
                    send(exchange, 200, OpenAiWire.models(config.modelName()));
                }
            }
            case "/health" -> {
                if (allow(exchange, "GET")) {
                    send(exchange, 200, OpenAiWire.health());
                }
            }
            case "/sim/stats" -> {
                if (allow(exchange, "GET")) {
                    send(exchange, 200, OpenAiWire.stats(stats()));
                }
            }
            default -> sendError(exchange, 404, "no such endpoint: " + path, "invalid_request_error", "not_found");
        }
    }

    private boolean allow(HttpExchange exchange, String method) throws IOException {
        if (exchange.getRequestMethod().equalsIgnoreCase(method)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", method);
        sendError(
                exchange,
                405,
                "method " + exchange.getRequestMethod() + " not allowed, use " + method,
                "invalid_request_error",
                "method_not_allowed");
        return false;
    }

    private boolean authorized(HttpExchange exchange) {
        String key = config.apiKey();
        if (key == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, key.getBytes(StandardCharsets.UTF_8));
    }

    private void chat(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            sendError(
                    exchange,
                    413,
                    "request body larger than " + MAX_BODY_BYTES + " bytes",
                    "invalid_request_error",
                    null);
            return;
        }
        ChatRequest request;
        try {
            request = ChatRequest.parse(body);
        } catch (ChatRequest.InvalidRequestException e) {
            sendError(exchange, 400, String.valueOf(e.getMessage()), "invalid_request_error", null);
            return;
        }
        if (!slots.tryAcquire()) {
            rejected.incrementAndGet();
            exchange.getResponseHeaders().set("Retry-After", "1");
            sendError(
                    exchange,
                    429,
                    "simulator over capacity (max " + config.maxConcurrency() + " concurrent)",
                    "rate_limit_exceeded",
                    "rate_limit_exceeded");
            return;
        }
        active.incrementAndGet();
        boolean finished = false;
        try {
            finished = request.stream() ? stream(exchange, request) : complete(exchange, request);
        } finally {
            active.decrementAndGet();
            slots.release();
            (finished ? completed : cancelled).incrementAndGet();
        }
    }

    /** Streams the answer; false when it ended early (client gone, or the simulator closing). */
    private boolean stream(HttpExchange exchange, ChatRequest request) {
        String id = newId();
        long created = Instant.now().getEpochSecond();
        String model = config.modelName();
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            pause(config.timeToFirstToken());
            ChatRequest.ToolCall call = request.toolCall();
            int tokens;
            if (call != null) {
                String callId = newCallId();
                String arguments = call.arguments();
                int half = arguments.length() / 2;
                event(out, OpenAiWire.toolCallChunk(id, created, model, call, callId, true, ""));
                event(
                        out,
                        OpenAiWire.toolCallChunk(
                                id, created, model, call, callId, false, arguments.substring(0, half)));
                pause(config.interTokenDelay());
                event(
                        out,
                        OpenAiWire.toolCallChunk(id, created, model, call, callId, false, arguments.substring(half)));
                event(out, OpenAiWire.chunk(id, created, model, null, null, "tool_calls"));
                tokens = OpenAiWire.toolCallTokens(call);
            } else {
                String @Nullable [] echo = echo(request);
                tokens = echo == null ? tokens(request) : echo.length;
                for (int i = 0; i < tokens; i++) {
                    if (i > 0) {
                        pause(config.interTokenDelay());
                    }
                    String text = echo == null ? OpenAiWire.token(i) : echo[i];
                    event(out, OpenAiWire.chunk(id, created, model, i == 0 ? "assistant" : null, text, null));
                }
                event(
                        out,
                        OpenAiWire.chunk(id, created, model, null, null, echo == null ? finishReason(tokens) : "stop"));
            }
            if (request.includeUsage()) {
                event(out, OpenAiWire.usageChunk(id, created, model, request.promptWords(), tokens));
            }
            event(out, "[DONE]");
            out.close();
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Answers in one piece after the time the whole stream would take; false when it ended early. */
    private boolean complete(HttpExchange exchange, ChatRequest request) {
        String id = newId();
        long created = Instant.now().getEpochSecond();
        ChatRequest.ToolCall call = request.toolCall();
        String @Nullable [] echo = echo(request);
        int tokens = echo == null ? tokens(request) : echo.length;
        try {
            pause(answerTime(call == null ? tokens : 2));
            String json;
            if (call != null) {
                json = OpenAiWire.toolCallCompletion(
                        id, created, config.modelName(), call, newCallId(), request.promptWords());
            } else if (echo != null) {
                json = OpenAiWire.completion(
                        id, created, config.modelName(), String.join("", echo), tokens, "stop", request.promptWords());
            } else {
                json = OpenAiWire.completion(
                        id, created, config.modelName(), tokens, finishReason(tokens), request.promptWords());
            }
            send(exchange, 200, json);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The answer to a tool's result: {@code "tool said: "} and the result, a token per word (each
     * with its trailing space), at most {@code max_tokens}; null when the last message is not a
     * tool's result.
     */
    private static String @Nullable [] echo(ChatRequest request) {
        String result = request.toolResult();
        if (result == null) {
            return null;
        }
        String[] words = ("tool said: " + result).trim().split("\\s+");
        int count = request.maxTokens() > 0 ? Math.min(words.length, request.maxTokens()) : words.length;
        String[] tokens = new String[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = words[i] + " ";
        }
        return tokens;
    }

    private int tokens(ChatRequest request) {
        int max = request.maxTokens();
        return max > 0 ? Math.min(config.outputTokens(), max) : config.outputTokens();
    }

    private String finishReason(int tokens) {
        return tokens < config.outputTokens() ? "length" : "stop";
    }

    private Duration answerTime(int tokens) {
        try {
            return config.timeToFirstToken().plus(config.interTokenDelay().multipliedBy(tokens - 1L));
        } catch (ArithmeticException e) {
            return Duration.ofSeconds(Long.MAX_VALUE);
        }
    }

    private static String newId() {
        return "chatcmpl-" + UUID.randomUUID();
    }

    private static String newCallId() {
        return "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    private static void pause(Duration duration) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (!duration.isZero()) {
            Thread.sleep(duration);
        }
    }

    /** Writes one server-sent event and flushes it, so each token leaves on its own. */
    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sendError(HttpExchange exchange, int status, String message, String type, @Nullable String code)
            throws IOException {
        send(exchange, status, OpenAiWire.error(message, type, code));
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", JSON_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
