package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Client mistakes get a precise 4xx as problem+json, never a 500 or a stack trace. */
class ProblemResponsesTest extends RedisBackedTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"query\":                                        | 400 | malformed_json",
                "not json at all                                    | 400 | malformed_json",
                "[1,2,3]                                            | 400 | malformed_json",
                "{}                                                 | 400 | invalid_request",
                "{\"query\":\"   \",\"agent_type\":\"math\"}        | 400 | invalid_request",
                "{\"query\":null}                                   | 400 | invalid_request",
                "{\"query\":\"hi\",\"agent_type\":\"nope\"}         | 400 | unknown_agent",
                "{\"query\":\"hi\",\"agent_type\":\"../../etc\"}    | 400 | unknown_agent",
            })
    void refusesBadBodies(String body, int status, String code) throws Exception {
        HttpResponse<String> response = post(body.strip(), "application/json");
        assertProblem(response, status, code);
    }

    @Test
    void refusesAQueryOverTheLengthLimit() throws Exception {
        HttpResponse<String> response = post("{\"query\":\"" + "9".repeat(501) + "\"}", "application/json");
        assertProblem(response, 400, "query_too_long");
        assertThat(response.body()).contains("the limit is 500");
    }

    @Test
    void refusesAnUnsupportedContentType() throws Exception {
        assertProblem(post("query=hi", "application/x-www-form-urlencoded"), 415, "unsupported_media_type");
        assertProblem(post("hi", "text/plain"), 415, "unsupported_media_type");
    }

    @Test
    void refusesABodyOverTheSizeLimitByContentLength() throws Exception {
        String big = "{\"query\":\"" + "x".repeat(3000) + "\"}";
        assertProblem(post(big, "application/json"), 413, "body_too_large");
    }

    @Test
    void refusesAChunkedBodyOverTheSizeLimitWhileReading() throws Exception {
        byte[] big = ("{\"query\":\"" + "x".repeat(3000) + "\"}").getBytes();
        HttpRequest request = request("/api/v1/query")
                .header("Content-Type", "application/json")
                // No length given: the body is sent chunked.
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build();
        assertProblem(http.send(request, HttpResponse.BodyHandlers.ofString()), 413, "body_too_large");
    }

    @ParameterizedTest
    @CsvSource({
        "/api/v1/queries/0b8f5a8e-3c3e-4a4b-9a59-6f1f2b8f9d10",
        "/api/v1/queries/not-an-id",
        "/api/v1/queries/%2e%2e",
    })
    void unknownIdsAreNotFound(String path) throws Exception {
        HttpResponse<String> response = http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
        assertProblem(response, 404, "not_found");
    }

    @ParameterizedTest
    @CsvSource({"/api/v1/queries/%2e%2e%2fetc%2fpasswd", "/api/v1/queries/..%5C..%5Cetc"})
    void encodedSlashesInAPathAreBadRequestProblemsFromTomcatItself(String path) throws Exception {
        HttpResponse<String> response = http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
        assertProblem(response, 400, "bad_request");
    }

    @Test
    void unknownPathsAreNotFoundProblems() throws Exception {
        HttpResponse<String> response =
                http.send(request("/api/v1/nothing").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).doesNotContain("Exception", "at org.", "at dev.");
    }

    @Test
    void wrongMethodIsA405Problem() throws Exception {
        HttpResponse<String> response =
                http.send(request("/api/v1/query").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertProblem(response, 405, "method_not_allowed");
    }

    private HttpResponse<String> post(String body, String contentType) throws Exception {
        HttpRequest request = request("/api/v1/query")
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body())
                .contains(
                        "\"status\":" + status,
                        "\"code\":\"" + code + "\"",
                        "\"type\":\"urn:agentic:problem:" + code + "\"")
                .doesNotContain("Exception", "at org.", "at dev.", "trace");
    }
}
