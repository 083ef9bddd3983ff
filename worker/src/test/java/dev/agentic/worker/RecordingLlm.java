package dev.agentic.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tiny OpenAI-compatible chat endpoint that records every request body and streams a fixed answer
 * ({@code "answer one [1] "} as three tokens). A request whose last message contains {@value
 * #FAIL} gets HTTP 500. Real HTTP on a free port, for tests of what agents send to the LLM.
 */
public final class RecordingLlm implements AutoCloseable {
    public static final String FAIL = "please fail";
    public static final List<String> TOKENS = List.of("answer ", "one ", "[1] ");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    private RecordingLlm(HttpServer server) {
        this.server = server;
    }

    public static RecordingLlm start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            RecordingLlm llm = new RecordingLlm(server);
            server.createContext("/v1/chat/completions", llm::handle);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return llm;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Every request body received so far, parsed. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** The {@code messages} of the latest request as role: content lines. */
    public List<String> lastMessages() {
        List<String> lines = new java.util.ArrayList<>();
        for (JsonNode message : requests.getLast().get("messages")) {
            lines.add(message.get("role").asString() + ": "
                    + message.get("content").asString());
        }
        return lines;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(body);
            JsonNode messages = body.get("messages");
            if (messages.get(messages.size() - 1).get("content").asString().contains(FAIL)) {
                byte[] error = "{\"error\":{\"message\":\"asked to fail\",\"type\":\"server_error\"}}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(500, error.length);
                exchange.getResponseBody().write(error);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (String token : TOKENS) {
                send(out, chunk("{\"content\":" + JSON.writeValueAsString(token) + "}", "null"));
            }
            send(out, chunk("{}", "\"stop\""));
            send(
                    out,
                    "{\"id\":\"r\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"m\",\"choices\":[],"
                            + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}");
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String chunk(String delta, String finishReason) {
        return "{\"id\":\"r\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}";
    }

    private static void send(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
