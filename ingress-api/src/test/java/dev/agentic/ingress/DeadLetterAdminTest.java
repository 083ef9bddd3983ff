package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.WireCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeadLetterAdminTest extends RedisBackedTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void emptyDeadLetters() {
        redis().del(RedisKeys.DEAD_LETTERS);
    }

    /** A letter as a worker writes it after max deliveries. */
    private static String deadLetter(Job job) {
        return redis().xadd(
                        RedisKeys.DEAD_LETTERS,
                        Map.of(
                                "lane",
                                "interactive",
                                "entry",
                                "1-0",
                                "attempts",
                                "6",
                                "error",
                                "delivered 6 times",
                                "worker",
                                "worker-1",
                                "request_id",
                                job.id(),
                                "job",
                                WireCodec.encodeJob(job)));
    }

    private static Job job() {
        long now = System.currentTimeMillis();
        return new Job(1, RequestId.newId(), "public", "math", "2+2", null, Lane.INTERACTIVE, now, now + 60_000, null);
    }

    @Test
    void listsDeadLettersWithTheirError() throws Exception {
        Job job = job();
        String entry = deadLetter(job);
        HttpResponse<String> list = send("GET", "/api/v1/admin/dead-letters", ADMIN_KEY);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body())
                .contains(
                        "\"total\":1",
                        "\"entry_id\":\"" + entry + "\"",
                        "\"request_id\":\"" + job.id() + "\"",
                        "\"error\":\"delivered 6 times\"",
                        "\"attempts\":\"6\"");
    }

    @Test
    void retryingEnqueuesTheJobAsANewRequestAndRemovesTheLetter() throws Exception {
        Job job = job();
        String entry = deadLetter(job);
        long queued = redis().xlen(RedisKeys.queue(Lane.INTERACTIVE));

        HttpResponse<String> retry = send("POST", "/api/v1/admin/dead-letters/" + entry + "/retry", ADMIN_KEY);

        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(retry.body()).contains("\"retried_from\":\"" + job.id() + "\"");
        assertThat(redis().xlen(RedisKeys.queue(Lane.INTERACTIVE))).isEqualTo(queued + 1);
        Job again = takeJob();
        assertThat(again.id()).isNotEqualTo(job.id());
        assertThat(again.query()).isEqualTo(job.query());
        assertThat(log.status(again.id())).containsEntry("status", "queued");
        assertThat(redis().xlen(RedisKeys.DEAD_LETTERS)).isZero();
    }

    @Test
    void purgesOneOrAll() throws Exception {
        String one = deadLetter(job());
        deadLetter(job());
        assertThat(send("DELETE", "/api/v1/admin/dead-letters/" + one, ADMIN_KEY)
                        .statusCode())
                .isEqualTo(204);
        assertThat(redis().xlen(RedisKeys.DEAD_LETTERS)).isEqualTo(1);
        assertThat(send("DELETE", "/api/v1/admin/dead-letters", ADMIN_KEY).body())
                .contains("\"purged\":1");
        assertThat(redis().xlen(RedisKeys.DEAD_LETTERS)).isZero();
    }

    @Test
    void refusesAMissingOrWrongKey() throws Exception {
        deadLetter(job());
        assertThat(send("GET", "/api/v1/admin/dead-letters", null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/admin/dead-letters", "guess").statusCode())
                .isEqualTo(401);
        assertThat(send("DELETE", "/api/v1/admin/dead-letters", "guess").statusCode())
                .isEqualTo(401);
        assertThat(redis().xlen(RedisKeys.DEAD_LETTERS)).isEqualTo(1);
    }

    @Test
    void unknownOrMalformedLetterIdsAreNotFound() throws Exception {
        assertThat(send("POST", "/api/v1/admin/dead-letters/99-9/retry", ADMIN_KEY)
                        .statusCode())
                .isEqualTo(404);
        assertThat(send("DELETE", "/api/v1/admin/dead-letters/..%2f", ADMIN_KEY).statusCode())
                .isEqualTo(400);
        assertThat(send("DELETE", "/api/v1/admin/dead-letters/abc", ADMIN_KEY).statusCode())
                .isEqualTo(404);
    }

    private HttpResponse<String> send(String method, String path, String token) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url(path))).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
