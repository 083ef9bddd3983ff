package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and hostile requests, written byte for byte on a socket (so nothing is "fixed" by an
 * HTTP client library), against a real ingress and a real Redis. Each one must get exactly the
 * status and problem {@code code} listed: never a 5xx, never a stack trace, never a stream.
 */
class HostileRequestsTest extends RedisBackedTest {
    private static final String VALID = "{\"query\":\"1+1\",\"agent_type\":\"math\"}";
    /** Passes every check on the query text, then is refused for its lane: proves the text was accepted. */
    private static final String TEXT_OK_LANE_BAD = "{\"query\":\"%s\",\"lane\":\"express\"}";

    private static final AtomicReference<String> FOREIGN_ID = new AtomicReference<>();
    private static final AtomicReference<String> USER_KEY = new AtomicReference<>();

    /** One hostile request and the one answer it must get. */
    record Case(String name, Raw request, int status, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // --- bodies that are not JSON, or not the expected shape
        cases.add(post("truncated JSON", "{\"query\":", 400, "malformed_json"));
        cases.add(post("not JSON", "not json at all", 400, "malformed_json"));
        cases.add(post("JSON array", "[1,2,3]", 400, "malformed_json"));
        cases.add(post("JSON string", "\"What is 2+2?\"", 400, "malformed_json"));
        cases.add(post("JSON null", "null", 400, "malformed_json"));
        cases.add(post("empty body", "", 400, "malformed_json"));
        cases.add(post("trailing garbage", "{\"query\":\"1+1\"} trailing", 400, "malformed_json"));
        cases.add(post("two objects", "{\"query\":\"a\"}{\"query\":\"b\"}", 400, "malformed_json"));
        cases.add(post("single quotes", "{'query':'1+1'}", 400, "malformed_json"));
        cases.add(post("comment", "{/*x*/\"query\":\"1+1\"}", 400, "malformed_json"));
        cases.add(post("NaN", "{\"query\":\"1\",\"timeout_ms\":NaN}", 400, "malformed_json"));
        cases.add(new Case(
                "invalid UTF-8",
                Raw.post("/api/v1/query").body(bytes("{\"query\":\"", new byte[] {(byte) 0xC3, 0x28}, "\"}")),
                400,
                "malformed_json"));
        // --- wrong types are refused, never coerced
        cases.add(post("query as number", "{\"query\":123}", 400, "invalid_type"));
        cases.add(post("query as object", "{\"query\":{\"$gt\":\"\"}}", 400, "invalid_type"));
        cases.add(post("query as array", "{\"query\":[\"a\"]}", 400, "invalid_type"));
        cases.add(post("query as boolean", "{\"query\":true}", 400, "invalid_type"));
        cases.add(post("agent_type as boolean", "{\"query\":\"a\",\"agent_type\":true}", 400, "invalid_type"));
        cases.add(post("timeout_ms as string", "{\"query\":\"a\",\"timeout_ms\":\"5\"}", 400, "invalid_type"));
        cases.add(post("timeout_ms as float", "{\"query\":\"a\",\"timeout_ms\":5.5}", 400, "invalid_type"));
        cases.add(post(
                "timeout_ms overflow",
                "{\"query\":\"a\",\"timeout_ms\":99999999999999999999999}",
                400,
                "invalid_type"));
        cases.add(post("lane as number", "{\"query\":\"a\",\"lane\":1}", 400, "invalid_type"));
        cases.add(post("deeply nested", "{\"query\":" + "[".repeat(600) + "]".repeat(600) + "}", 400, "invalid_type"));
        // --- unknown and duplicate fields
        cases.add(post("unknown field", "{\"query\":\"a\",\"extra\":1}", 400, "unknown_field"));
        cases.add(post("__proto__", "{\"query\":\"a\",\"__proto__\":{\"admin\":true}}", 400, "unknown_field"));
        cases.add(post("camelCase field", "{\"query\":\"a\",\"agentType\":\"math\"}", 400, "unknown_field"));
        cases.add(post("tenant in body", "{\"query\":\"a\",\"tenant\":\"other\"}", 400, "unknown_field"));
        cases.add(post("duplicate query", "{\"query\":\"a\",\"query\":\"b\"}", 400, "duplicate_field"));
        cases.add(post("duplicate agent", VALID.replace("}", ",\"agent_type\":\"general\"}"), 400, "duplicate_field"));
        // --- values out of range
        cases.add(post("no query", "{}", 400, "invalid_request"));
        cases.add(post("blank query", "{\"query\":\" \\t\\n \"}", 400, "invalid_request"));
        cases.add(post(
                "agent path traversal", "{\"query\":\"a\",\"agent_type\":\"../../etc/passwd\"}", 400, "unknown_agent"));
        cases.add(post("unknown lane", "{\"query\":\"a\",\"lane\":\"express\"}", 400, "unknown_lane"));
        cases.add(post("zero timeout", "{\"query\":\"a\",\"timeout_ms\":0}", 400, "invalid_timeout"));
        cases.add(post("negative timeout", "{\"query\":\"a\",\"timeout_ms\":-1}", 400, "invalid_timeout"));
        cases.add(post("huge timeout", "{\"query\":\"a\",\"timeout_ms\":99999999999}", 400, "invalid_timeout"));
        cases.add(
                post("query over the length limit", "{\"query\":\"" + "x".repeat(501) + "\"}", 400, "query_too_long"));
        cases.add(post("body over the size limit", "{\"query\":\"" + "x".repeat(3000) + "\"}", 413, "body_too_large"));
        // --- control characters and Unicode edge cases
        cases.add(post("NUL in query", "{\"query\":\"1+1\\u0000\"}", 400, "invalid_characters"));
        cases.add(post("ANSI escape in query", "{\"query\":\"\\u001b[31mred\"}", 400, "invalid_characters"));
        cases.add(post("DEL in query", "{\"query\":\"a\\u007f\"}", 400, "invalid_characters"));
        cases.add(post("C1 control in query", "{\"query\":\"a\\u0085b\"}", 400, "invalid_characters"));
        cases.add(post("lone high surrogate", "{\"query\":\"a\\ud800\"}", 400, "invalid_characters"));
        cases.add(post("lone low surrogate", "{\"query\":\"\\udc00a\"}", 400, "invalid_characters"));
        cases.add(post("reversed surrogates", "{\"query\":\"\\ude00\\ud83d\"}", 400, "invalid_characters"));
        cases.add(
                post("bell in session_id", "{\"query\":\"a\",\"session_id\":\"s\\u0007\"}", 400, "invalid_characters"));
        cases.add(post("RTL override is text", TEXT_OK_LANE_BAD.formatted("abc\u202Edef"), 400, "unknown_lane"));
        cases.add(post("zero-width space is text", TEXT_OK_LANE_BAD.formatted("a\u200Bb\uFEFF"), 400, "unknown_lane"));
        cases.add(post("4-byte emoji is text", TEXT_OK_LANE_BAD.formatted("2+2 \uD83D\uDE00?"), 400, "unknown_lane"));
        cases.add(post(
                "escaped surrogate pair is text", TEXT_OK_LANE_BAD.formatted("\\ud83d\\ude00"), 400, "unknown_lane"));
        cases.add(post("tabs and newlines are text", TEXT_OK_LANE_BAD.formatted("a\\tb\\nc\\r"), 400, "unknown_lane"));
        // --- content types
        cases.add(new Case(
                "text/plain", Raw.post("/api/v1/query").type("text/plain").body(VALID), 415, "unsupported_media_type"));
        cases.add(new Case(
                "form",
                Raw.post("/api/v1/query")
                        .type("application/x-www-form-urlencoded")
                        .body("query=1"),
                415,
                "unsupported_media_type"));
        cases.add(new Case(
                "no content type", Raw.post("/api/v1/query").type(null).body(VALID), 415, "unsupported_media_type"));
        cases.add(new Case(
                "xml",
                Raw.post("/api/v1/query").type("application/xml").body("<query>1</query>"),
                415,
                "unsupported_media_type"));
        // --- Authorization
        cases.add(new Case(
                "no Authorization", Raw.post("/api/v1/query").auth(null).body(VALID), 401, "unauthorized"));
        cases.add(new Case(
                "Basic auth",
                Raw.post("/api/v1/query").auth("Basic YWRtaW46YWRtaW4=").body(VALID),
                401,
                "unauthorized"));
        cases.add(new Case(
                "empty Bearer", Raw.post("/api/v1/query").auth("Bearer").body(VALID), 401, "unauthorized"));
        cases.add(new Case(
                "Bearer and spaces",
                Raw.post("/api/v1/query").auth("Bearer    ").body(VALID),
                401,
                "unauthorized"));
        cases.add(new Case(
                "garbled Bearer", Raw.post("/api/v1/query").auth("Bearer %%%").body(VALID), 401, "unauthorized"));
        cases.add(new Case(
                "overlong Bearer",
                Raw.post("/api/v1/query").auth("Bearer agk_" + "a".repeat(5000)).body(VALID),
                401,
                "unauthorized"));
        cases.add(new Case(
                "key with a wrong secret",
                Raw.post("/api/v1/query")
                        .auth("Bearer agk_00000000000000a1_" + "x".repeat(40))
                        .body(VALID),
                401,
                "unauthorized"));
        cases.add(new Case(
                "key id SQL-ish",
                Raw.post("/api/v1/query")
                        .auth("Bearer agk_' OR 1=1 --_secretsecretsecret")
                        .body(VALID),
                401,
                "unauthorized"));
        cases.add(new Case(
                "user key on an admin endpoint",
                Raw.get("/api/v1/admin/keys").auth("Bearer {USER}"),
                403,
                "forbidden"));
        // --- header injection and bad header values
        cases.add(new Case(
                "bare CR in Idempotency-Key",
                Raw.post("/api/v1/query")
                        .header("Idempotency-Key", "k\rX-Evil: 1")
                        .body(VALID),
                400,
                "bad_request"));
        cases.add(new Case(
                "NUL in Idempotency-Key",
                Raw.post("/api/v1/query").header("Idempotency-Key", "k\0k").body(VALID),
                400,
                "bad_request"));
        cases.add(new Case(
                "CRLF in X-Timeout-Ms splits into a bad value",
                Raw.post("/api/v1/query")
                        .header("X-Timeout-Ms", "abc\r\nX-Injected: yes")
                        .body(VALID),
                400,
                "invalid_timeout"));
        cases.add(new Case(
                "obs-fold header is unfolded, then refused",
                Raw.post("/api/v1/query").header("X-Timeout-Ms", "5\r\n 000").body(VALID),
                400,
                "invalid_timeout"));
        cases.add(new Case(
                "Latin-1 Idempotency-Key",
                Raw.post("/api/v1/query").header("Idempotency-Key", "k\u00e9y").body(VALID),
                400,
                "invalid_idempotency_key"));
        cases.add(new Case(
                "overlong Idempotency-Key",
                Raw.post("/api/v1/query")
                        .header("Idempotency-Key", "k".repeat(256))
                        .body(VALID),
                400,
                "invalid_idempotency_key"));
        cases.add(new Case(
                "X-Timeout-Ms not a number",
                Raw.post("/api/v1/query").header("X-Timeout-Ms", "1e3").body(VALID),
                400,
                "invalid_timeout"));
        cases.add(new Case(
                "X-Timeout-Ms overflow",
                Raw.post("/api/v1/query")
                        .header("X-Timeout-Ms", "99999999999999999999")
                        .body(VALID),
                400,
                "invalid_timeout"));
        cases.add(new Case(
                "X-Timeout-Ms negative",
                Raw.post("/api/v1/query").header("X-Timeout-Ms", "-5").body(VALID),
                400,
                "invalid_timeout"));
        cases.add(new Case(
                "garbage Last-Event-ID",
                Raw.get("/api/v1/queries/{OWN}/events").header("Last-Event-ID", "'; DROP"),
                400,
                "invalid_last_event_id"));
        // --- ids: another tenant's, malformed, traversal
        cases.add(new Case("another tenant's id", Raw.get("/api/v1/queries/{FOREIGN}"), 404, "not_found"));
        cases.add(new Case("another tenant's events", Raw.get("/api/v1/queries/{FOREIGN}/events"), 404, "not_found"));
        cases.add(new Case("cancel another tenant's", Raw.delete("/api/v1/queries/{FOREIGN}"), 404, "not_found"));
        cases.add(new Case(
                "unknown id", Raw.get("/api/v1/queries/0b8f5a8e-3c3e-4a4b-9a59-6f1f2b8f9d10"), 404, "not_found"));
        cases.add(new Case(
                "id with a path parameter", Raw.get("/api/v1/queries/{FOREIGN};jsessionid=1"), 404, "not_found"));
        cases.add(new Case("dot-dot id", Raw.get("/api/v1/queries/%2e%2e"), 404, "not_found"));
        cases.add(new Case("traversal", Raw.get("/api/v1/queries/../../../etc/passwd"), 404, "not_found"));
        cases.add(new Case(
                "encoded traversal", Raw.get("/api/v1/queries/%2e%2e%2f%2e%2e%2fetc%2fpasswd"), 400, "bad_request"));
        cases.add(new Case("encoded backslashes", Raw.get("/api/v1/queries/..%5C..%5Cetc"), 400, "bad_request"));
        cases.add(new Case("encoded NUL in id", Raw.get("/api/v1/queries/abc%00def"), 400, "bad_request"));
        cases.add(new Case("overlong id", Raw.get("/api/v1/queries/" + "a".repeat(4000)), 404, "not_found"));
        cases.add(new Case("unknown API key id to revoke", Raw.delete("/api/v1/admin/keys/..%2f"), 400, "bad_request"));
        // --- methods and request lines
        cases.add(new Case("GET on the query endpoint", Raw.get("/api/v1/query"), 405, "method_not_allowed"));
        cases.add(new Case(
                "PUT on the query endpoint",
                Raw.post("/api/v1/query").method("PUT").body(VALID),
                405,
                "method_not_allowed"));
        cases.add(new Case(
                "unknown method", Raw.post("/api/v1/query").method("FOO").body(VALID), 405, "method_not_allowed"));
        cases.add(new Case("TRACE", Raw.get("/api/v1/query").method("TRACE"), 405, "method_not_allowed"));
        // --- admin bodies are strict too
        cases.add(new Case(
                "admission limit as string",
                Raw.post("/api/v1/admin/admission").method("PUT").body("{\"interactive\":{\"max_depth\":\"5\"}}"),
                400,
                "invalid_type"));
        cases.add(new Case(
                "admission limit negative",
                Raw.post("/api/v1/admin/admission").method("PUT").body("{\"interactive\":{\"max_depth\":-1}}"),
                400,
                "invalid_limit"));
        cases.add(new Case(
                "key roles as a string",
                Raw.post("/api/v1/admin/keys").body("{\"tenant\":\"t\",\"roles\":\"admin\"}"),
                400,
                "invalid_type"));
        cases.add(new Case(
                "key for a traversal tenant",
                Raw.post("/api/v1/admin/keys").body("{\"tenant\":\"../t\",\"roles\":[\"user\"]}"),
                400,
                "invalid_request"));
        cases.add(new Case(
                "dead letters count not a number",
                Raw.get("/api/v1/admin/dead-letters?count=abc"),
                400,
                "bad_request"));
        return cases;
    }

    @BeforeEach
    void foreignRequestAndUserKey() {
        if (FOREIGN_ID.get() == null) {
            String other = createKey("hostile-other", "user", "*");
            try (var stream = dev.agentic.testsupport.SseClient.post(
                    url("/api/v1/query"), VALID, Map.of("Authorization", "Bearer " + other))) {
                FOREIGN_ID.set(stream.header("x-request-id"));
                worker(takeJob()).finish(new dev.agentic.model.StreamEvent.Error("cancelled", "x", false), "");
                stream.drain();
            }
            USER_KEY.set(createKey("hostile", "user", "*"));
        }
    }

    @Test
    void theBatteryIsLarge() {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(50);
        assertThat(cases()).extracting(Case::name).doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void getsExactlyTheDocumentedRefusal(Case hostile) throws IOException {
        Response response = exchange(hostile.request()
                .resolve(Map.of(
                        "{FOREIGN}", FOREIGN_ID.get(),
                        "{OWN}", ownFinishedRequest(),
                        "{USER}", USER_KEY.get())));
        assertThat(response.status()).as(response.toString()).isEqualTo(hostile.status());
        assertThat(response.header("content-type")).as(response.toString()).startsWith("application/problem+json");
        assertThat(response.body())
                .as(response.toString())
                .contains(
                        "\"status\":" + hostile.status(),
                        "\"code\":\"" + hostile.code() + "\"",
                        "\"type\":\"urn:agentic:problem:" + hostile.code() + "\"")
                .doesNotContain("Exception", "at org.", "at dev.", "trace", "agk_");
        if (hostile.status() == 401) {
            assertThat(response.header("www-authenticate")).isEqualTo("Bearer realm=\"agentic\"");
        }
        assertThat(response.header("x-injected")).isNull();
        assertThat(response.header("x-evil")).isNull();
    }

    private static final AtomicReference<String> OWN_ID = new AtomicReference<>();

    private String ownFinishedRequest() {
        if (OWN_ID.get() == null) {
            try (var stream = dev.agentic.testsupport.SseClient.post(url("/api/v1/query"), VALID, auth())) {
                OWN_ID.set(stream.header("x-request-id"));
                worker(takeJob()).finish(new dev.agentic.model.StreamEvent.Error("cancelled", "x", false), "");
                stream.drain();
            }
        }
        return OWN_ID.get();
    }

    private static Case post(String name, String body, int status, String code) {
        return new Case(name, Raw.post("/api/v1/query").body(body), status, code);
    }

    private static byte[] bytes(String before, byte[] middle, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** A request as bytes: authenticated as the admin key and JSON unless told otherwise. */
    static final class Raw {
        private String method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private byte[] body = new byte[0];
        private boolean hasBody;

        private Raw(String method, String path) {
            this.method = method;
            this.path = path;
            headers.put("Authorization", "Bearer " + ADMIN_KEY);
        }

        static Raw get(String path) {
            return new Raw("GET", path);
        }

        static Raw delete(String path) {
            return new Raw("DELETE", path);
        }

        static Raw post(String path) {
            Raw raw = new Raw("POST", path);
            raw.headers.put("Content-Type", "application/json");
            return raw;
        }

        Raw method(String method) {
            this.method = method;
            return this;
        }

        Raw auth(String value) {
            return header("Authorization", value);
        }

        Raw type(String value) {
            return header("Content-Type", value);
        }

        /** A null value removes the header. Values are written as they are, CR and LF included. */
        Raw header(String name, String value) {
            if (value == null) {
                headers.remove(name);
            } else {
                headers.put(name, value);
            }
            return this;
        }

        Raw body(String text) {
            return body(text.getBytes(StandardCharsets.UTF_8));
        }

        Raw body(byte[] bytes) {
            this.body = bytes;
            this.hasBody = true;
            return this;
        }

        Raw resolve(Map<String, String> placeholders) {
            Raw copy = new Raw(method, replace(path, placeholders));
            copy.headers.clear();
            headers.forEach((name, value) -> copy.headers.put(name, replace(value, placeholders)));
            copy.body = body;
            copy.hasBody = hasBody;
            return copy;
        }

        private static String replace(String text, Map<String, String> placeholders) {
            String result = text;
            for (Map.Entry<String, String> p : placeholders.entrySet()) {
                result = result.replace(p.getKey(), p.getValue());
            }
            return result;
        }

        byte[] bytes(int port) {
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            head.append("Host: 127.0.0.1:").append(port).append("\r\n");
            headers.forEach((name, value) ->
                    head.append(name).append(": ").append(value).append("\r\n"));
            if (hasBody) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(body);
            return out.toByteArray();
        }
    }

    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private Response exchange(Raw request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.bytes(port));
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before reading all of a refused body.
            }
            return parse(readAll(socket.getInputStream()));
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.write(buffer, 0, n);
            }
        } catch (java.net.SocketException e) {
            // a reset after the response: what was read is the response
        }
        return all.toByteArray();
    }

    private static Response parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new AssertionError("no complete response: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip());
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Response(status, headers, body);
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(
                    chunked.substring(at, lineEnd).split(";")[0].strip(), 16);
            if (size == 0) {
                return body.toString();
            }
            // Sizes count bytes; bodies here are problem+json, ASCII in practice.
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
