package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Job;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A request belongs to its tenant: any other tenant, whatever its roles, gets 404 (never 403) for
 * every endpoint that takes a request id, exactly as for an id that does not exist.
 */
class TenantIsolationTest extends RedisBackedTest {
    private static final String MATH = "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}";
    private static String alice;
    private static String bob;
    private static String bobAdmin;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void keys() {
        if (alice == null) {
            alice = createKey("tenant-a", "user", "*");
            bob = createKey("tenant-b", "user", "*");
            bobAdmin = createKey("tenant-b", "admin", "*");
        }
    }

    /** A finished request of tenant A. */
    private String requestOfAlice() {
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), MATH, bearer(alice))) {
            assertThat(stream.status()).isEqualTo(200);
            Job job = takeJob();
            assertThat(job.tenant()).isEqualTo("tenant-a");
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
            assertThat(stream.drain()).extracting(Frame::event).containsExactly("queued", "done");
            return job.id();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "GET, ''",
        "GET, /events",
        "GET, /events?after=0-0",
        "DELETE, ''",
    })
    void anotherTenantGets404ForEveryEndpointTakingAnId(String method, String suffix) throws Exception {
        String id = requestOfAlice();
        String unknown = "0b8f5a8e-3c3e-4a4b-9a59-6f1f2b8f9d10";
        for (String key : new String[] {bob, bobAdmin}) {
            HttpResponse<String> foreign = send(method, "/api/v1/queries/" + id + suffix, key);
            HttpResponse<String> missing = send(method, "/api/v1/queries/" + unknown + suffix, key);
            assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(404);
            assertThat(foreign.headers().firstValue("content-type")).hasValue("application/problem+json");
            assertThat(foreign.body()).contains("\"code\":\"not_found\"");
            // Indistinguishable from an id that does not exist.
            assertThat(foreign.body().replace(id, unknown)).isEqualTo(missing.body());
        }
        assertThat(send(method, "/api/v1/queries/" + id + suffix, alice).statusCode())
                .isBetween(200, 299);
    }

    @Test
    void anotherTenantCannotCancelAndTheRequestRunsOn() throws Exception {
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), MATH, bearer(alice))) {
            Job job = takeJob();
            assertThat(send("DELETE", "/api/v1/queries/" + job.id(), bob).statusCode())
                    .isEqualTo(404);
            assertThat(log.status(job.id())).containsEntry(RedisKeys.STATUS_FIELD, "queued");
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
            assertThat(stream.drain()).extracting(Frame::event).containsExactly("queued", "done");
        }
    }

    @Test
    void anotherTenantsIdempotencyKeyNeverReplaysTheFirstTenantsRequest() {
        Map<String, String> same = Map.of("Idempotency-Key", "shared-" + System.nanoTime());
        String aliceId;
        try (SseClient.Stream first = SseClient.post(url("/api/v1/query"), MATH, bearer(alice, same))) {
            aliceId = first.header("x-request-id");
            Job job = takeJob();
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
            first.drain();
        }
        try (SseClient.Stream again = SseClient.post(url("/api/v1/query"), MATH, bearer(alice, same))) {
            assertThat(again.header("idempotent-replayed")).isEqualTo("true");
            assertThat(again.header("x-request-id")).isEqualTo(aliceId);
            again.drain();
        }
        try (SseClient.Stream other = SseClient.post(url("/api/v1/query"), MATH, bearer(bob, same))) {
            assertThat(other.status()).isEqualTo(200);
            assertThat(other.header("idempotent-replayed")).isNull();
            assertThat(other.header("x-request-id")).isNotEqualTo(aliceId);
            Job job = takeJob();
            assertThat(job.tenant()).isEqualTo("tenant-b");
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "5");
            assertThat(other.drain()).extracting(Frame::data).last().asString().doesNotContain(aliceId);
        }
    }

    @Test
    void aKeyLimitedToSomeAgentsGets403ForOthers() throws Exception {
        String mathOnly = createKey("tenant-a", "user", "math");
        HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(url("/api/v1/query")))
                .header("Authorization", "Bearer " + mathOnly)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"hi\",\"agent_type\":\"general\"}"))
                .build());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("\"code\":\"agent_not_allowed\"", "\"allowed_agents\":[\"math\"]");
        // The default agent (general) is an agent like any other.
        HttpResponse<String> byDefault = send(HttpRequest.newBuilder(URI.create(url("/api/v1/query")))
                .header("Authorization", "Bearer " + mathOnly)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"hi\"}"))
                .build());
        assertThat(byDefault.statusCode()).isEqualTo(403);
        try (SseClient.Stream allowed = SseClient.post(url("/api/v1/query"), MATH, bearer(mathOnly))) {
            assertThat(allowed.status()).isEqualTo(200);
            Job job = takeJob();
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "4");
            allowed.drain();
        }
    }

    private static Map<String, String> bearer(String key) {
        return bearer(key, Map.of());
    }

    private static Map<String, String> bearer(String key, Map<String, String> extra) {
        Map<String, String> headers = new java.util.HashMap<>(extra);
        headers.put("Authorization", "Bearer " + key);
        return headers;
    }

    private HttpResponse<String> send(String method, String path, String key) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + key)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
