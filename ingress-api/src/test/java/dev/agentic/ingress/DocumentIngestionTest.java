package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.IngestDocument;
import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.model.WireCodec;
import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code POST /api/v1/documents}: checks, then an {@code ingest} job on the batch lane. */
class DocumentIngestionTest extends RedisBackedTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return http.send(
                request(path)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Job takeBatchJob() {
        return takeJob(Lane.BATCH);
    }

    @Test
    void aJsonDocumentBecomesAnIngestJobOnTheBatchLane() throws Exception {
        HttpResponse<String> response = post(
                "/api/v1/documents",
                "application/json",
                "{\"id\":\"guide.md\",\"title\":\"Guide\",\"text\":\"# Install\\nRun it.\",\"metadata\":{\"lang\":\"en\"}}");
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).contains("\"document_id\":\"guide.md\"", "\"status\":\"queued\"");
        Job job = takeBatchJob();
        assertThat(response.headers().firstValue("location")).hasValue("/api/v1/queries/" + job.id());
        assertThat(job.agent()).isEqualTo(IngestDocument.AGENT);
        assertThat(job.lane()).isEqualTo(Lane.BATCH);
        assertThat(WireCodec.decodeIngest(job.query()))
                .isEqualTo(new IngestDocument(
                        "guide.md", "Guide", "# Install\nRun it.", "markdown", Map.of("lang", "en")));
        assertThat(redis().hget(RedisKeys.request(job.id()), RedisKeys.STATUS_FIELD))
                .isEqualTo("queued");
    }

    @Test
    void rawMarkdownOrTextTakesItsIdFromTheQueryString() throws Exception {
        assertThat(post("/api/v1/documents?id=notes.txt&title=Notes", "text/plain; charset=utf-8", "plain words")
                        .statusCode())
                .isEqualTo(202);
        IngestDocument document = WireCodec.decodeIngest(takeBatchJob().query());
        assertThat(document.documentId()).isEqualTo("notes.txt");
        assertThat(document.title()).isEqualTo("Notes");
        assertThat(document.contentType()).isEqualTo("text");
        assertThat(post("/api/v1/documents?id=a.md", "text/markdown", "# A").statusCode())
                .isEqualTo(202);
        assertThat(WireCodec.decodeIngest(takeBatchJob().query()).contentType()).isEqualTo("markdown");
    }

    @Test
    void withAnEventStreamTheProgressOfTheJobIsRelayed() {
        try (SseClient.Stream stream =
                SseClient.post(url("/api/v1/documents"), "{\"id\":\"d1\",\"text\":\"some text\"}", auth())) {
            Job job = takeBatchJob();
            worker(job).append(new StreamEvent.Start("w", 1));
            worker(job).append(new StreamEvent.ToolStart("ingest", "d1"));
            worker(job)
                    .append(new StreamEvent.Metadata(Map.of("progress", Map.of("chunks_done", 1, "chunks_total", 1))));
            worker(job).append(new StreamEvent.ToolEnd("ingest", "1 chunks"));
            worker(job).finish(new StreamEvent.Done(Usage.NONE, "stop"), "Ingested d1: 1 chunks.");
            assertThat(stream.drain())
                    .extracting(Frame::event)
                    .containsExactly("queued", "start", "tool_start", "metadata", "tool_end", "done");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty JSON text        | application/json | {"id":"x","text":"  "}                 | 400 | empty_document
            missing id             | application/json | {"text":"words"}                       | 400 | invalid_document_id
            id with a control char | application/json | {"id":"a\\u0007b","text":"words"}       | 400 | invalid_document_id
            unknown content type   | application/json | {"id":"x","text":"w","content_type":"pdf"} | 415 | unsupported_content_type
            unknown field          | application/json | {"id":"x","text":"w","txet":"w"}       | 400 | unknown_field
            an id that is a number | application/json | {"id":5,"text":"w"}                    | 400 | invalid_type
            a duplicate field      | application/json | {"id":"x","text":"w","text":"v"}       | 400 | duplicate_field
            not JSON               | application/json | {"id":                                  | 400 | malformed_json
            metadata not strings   | application/json | {"id":"x","text":"w","metadata":{"a":[1]}} | 400 | invalid_type
            a PDF                  | application/pdf  | %PDF-1.7                               | 415 | unsupported_content_type
            raw text without id    | text/plain       | words                                  | 400 | invalid_document_id
            empty raw markdown     | text/markdown    | ' '                                    | 400 | empty_document
            """)
    void badDocumentsGetAPreciseProblemAndNoJob(String name, String contentType, String body, int status, String code)
            throws Exception {
        String path = contentType.startsWith("text/") && !name.contains("without id")
                ? "/api/v1/documents?id=x"
                : "/api/v1/documents";
        long before = redis().exists(RedisKeys.queue(Lane.BATCH)) == 0 ? 0 : redis().xlen(RedisKeys.queue(Lane.BATCH));
        HttpResponse<String> response = post(path, contentType, body);
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"code\":\"" + code + "\"");
        long after = redis().exists(RedisKeys.queue(Lane.BATCH)) == 0 ? 0 : redis().xlen(RedisKeys.queue(Lane.BATCH));
        assertThat(after).isEqualTo(before);
    }

    @Test
    void anOversizeDocumentGets413() throws Exception {
        String big = "word ".repeat(2_000); // 10,000 bytes; the test limit is 8 KB
        HttpResponse<String> raw = post("/api/v1/documents?id=big", "text/plain", big);
        assertThat(raw.statusCode()).isEqualTo(413);
        assertThat(raw.body()).contains("\"code\":\"document_too_large\"");
        HttpResponse<String> json =
                post("/api/v1/documents", "application/json", "{\"id\":\"big\",\"text\":\"" + big + "\"}");
        assertThat(json.statusCode()).isEqualTo(413);
        assertThat(json.body()).contains("\"code\":\"document_too_large\"");
        // The limit is the text's: a document just under it fits, whatever its JSON envelope adds.
        String fits = "\\\"q\\\" ".repeat(1_600); // 6,400 bytes of text in 9,600 of JSON; the limit is 8,192
        HttpResponse<String> envelope = post(
                "/api/v1/documents", "application/json", "{\"id\":\"fits\",\"title\":\"T\",\"text\":\"" + fits + "\"}");
        assertThat(envelope.statusCode()).as(envelope.body()).isEqualTo(202);
        takeBatchJob();
    }

    @Test
    void clientsCannotAskForTheIngestAgentDirectly() throws Exception {
        HttpResponse<String> response =
                post("/api/v1/query", "application/json", "{\"query\":\"x\",\"agent_type\":\"ingest\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"code\":\"unknown_agent\"");
    }
}
