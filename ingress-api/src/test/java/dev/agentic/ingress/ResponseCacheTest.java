package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.CachedAnswer;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ingress answers identical queries from answers workers stored, with no worker running. */
class ResponseCacheTest extends RedisBackedTest {
    private static final String TENANT = "public";
    private final HttpClient http = HttpClient.newHttpClient();

    /** Stores an answer as a worker does after its {@code done}. */
    private static void storeAnswer(String agent, long knowledgeVersion, String query, String answer) {
        List<CachedAnswer.Event> events = List.of(
                new CachedAnswer.Event("tool_start", WireCodec.encodeData(new StreamEvent.ToolStart("calc", query))),
                new CachedAnswer.Event("token", WireCodec.encodeData(new StreamEvent.Token(answer))),
                new CachedAnswer.Event(
                        "metadata", WireCodec.encodeData(new StreamEvent.Metadata(Map.of("model", "m1")))));
        CachedAnswer cached = new CachedAnswer("source-request", 1_700_000_000_000L, events, answer, "stop");
        redis().set(
                        RedisKeys.responseCache(TENANT, CachedAnswer.digest(agent, knowledgeVersion, query)),
                        WireCodec.encodeCachedAnswer(cached));
    }

    private static long queued() {
        return redis().exists(RedisKeys.queue(Lane.INTERACTIVE)) == 0
                ? 0
                : redis().xlen(RedisKeys.queue(Lane.INTERACTIVE));
    }

    private static String body(String query, String agent, String extra) {
        return "{\"query\":\"" + query + "\",\"agent_type\":\"" + agent + "\"" + extra + "}";
    }

    @Test
    void aCachedAnswerStreamsWithTheSameProtocolMarkedCachedWithoutAJob() {
        String query = "cached stream " + UUID.randomUUID();
        storeAnswer("math", 0, query, "Result: 4");
        long before = queued();
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), body(query, "math", ""), auth())) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("x-cache")).isEqualTo("hit");
            List<Frame> frames = stream.drain();
            assertThat(frames)
                    .extracting(Frame::event)
                    .containsExactly("queued", "start", "tool_start", "token", "metadata", "metadata", "done");
            assertThat(frames.get(1).data()).contains("\"worker\":\"response-cache\"");
            assertThat(frames.get(3).data()).isEqualTo("{\"text\":\"Result: 4\"}");
            assertThat(frames.get(5).data()).contains("\"cached\":true", "\"cached_from\":\"source-request\"");
            assertThat(frames.get(6).data()).contains("\"tokens_in\":0", "\"tokens_out\":0");
            String id = stream.header("x-request-id");
            assertThat(redis().hget(RedisKeys.request(id), RedisKeys.STATUS_FIELD))
                    .isEqualTo("done");
        }
        assertThat(queued()).as("no job for a cache hit").isEqualTo(before);
    }

    @Test
    void aNormalizedEqualQueryHitsAndTheJsonAnswerSaysCached() throws Exception {
        String query = "what is the cached answer " + UUID.randomUUID();
        storeAnswer("math", 0, query, "42");
        HttpResponse<String> response =
                post(body("  WHAT is the   cached answer " + query.substring(26) + " ", "math", ""), Map.of());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-cache")).hasValue("hit");
        assertThat(response.body()).contains("\"answer\":\"42\"", "\"cached\":true", "\"model\":\"m1\"");
    }

    @Test
    void clientsOptOutWithTheBodyFlagOrCacheControl() throws Exception {
        String query = "opt out " + UUID.randomUUID();
        storeAnswer("math", 0, query, "stale");
        for (var request : List.of(
                Map.entry(body(query, "math", ",\"cache\":false"), Map.<String, String>of()),
                Map.entry(body(query, "math", ""), Map.of("Cache-Control", "no-cache")))) {
            try (SseClient.Stream stream =
                    SseClient.post(url("/api/v1/query"), request.getKey(), auth(request.getValue()))) {
                assertThat(stream.header("x-cache")).isNull();
                Job job = takeJob();
                assertThat(job.query()).isEqualTo(query);
                worker(job).finish(new StreamEvent.Done(dev.agentic.model.Usage.NONE, "stop"), "fresh");
                assertThat(stream.drain()).extracting(Frame::event).last().isEqualTo("done");
            }
        }
    }

    @Test
    void aRagAnswerIsNotServedOnceTheKnowledgeBaseChanged() {
        String query = "rag cached " + UUID.randomUUID();
        redis().del(RedisKeys.knowledgeVersion(TENANT));
        storeAnswer("rag", 0, query, "from the old documents");
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), body(query, "rag", ""), auth())) {
            assertThat(stream.header("x-cache")).isEqualTo("hit");
            stream.drain();
        }
        redis().incr(RedisKeys.knowledgeVersion(TENANT)); // an ingestion happened
        try (SseClient.Stream stream = SseClient.post(url("/api/v1/query"), body(query, "rag", ""), auth())) {
            assertThat(stream.header("x-cache")).isNull();
            Job job = takeJob();
            worker(job).finish(new StreamEvent.Done(dev.agentic.model.Usage.NONE, "stop"), "fresh");
            stream.drain();
        }
    }

    @Test
    void requestsWithASessionNeverUseTheCache() {
        String query = "session " + UUID.randomUUID();
        storeAnswer("math", 0, query, "cached");
        try (SseClient.Stream stream =
                SseClient.post(url("/api/v1/query"), body(query, "math", ",\"session_id\":\"s1\""), auth())) {
            assertThat(stream.header("x-cache")).isNull();
            Job job = takeJob();
            worker(job).finish(new StreamEvent.Done(dev.agentic.model.Usage.NONE, "stop"), "fresh");
            stream.drain();
        }
    }

    private HttpResponse<String> post(String json, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = request("/api/v1/query")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
