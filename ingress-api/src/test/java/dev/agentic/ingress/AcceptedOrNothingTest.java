package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import io.lettuce.core.AclSetuserArgs;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Accepted or nothing: once a query's job is on the queue, no failure answers "nothing was
 * accepted". The fault is real: an ACL on the Redis user that refuses the request hashes
 * ({@code agentic:req:*}), so the job is queued but its request cannot be opened.
 */
class AcceptedOrNothingTest extends RedisBackedTest {
    private static final String MATH = "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void answers202WithTheIdWhenTheRequestCannotBeOpenedAfterItsJobIsQueuedAndARetryRunsItOnce() throws Exception {
        String key = "accepted-" + UUID.randomUUID();
        long queuedBefore = queueLength();
        HttpResponse<String> first;
        refuseRequestHashes();
        try {
            first = http.send(jsonPost(key), HttpResponse.BodyHandlers.ofString());
        } finally {
            allowEveryKey();
        }
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String id = idIn(first.body());
        assertThat(first.headers().firstValue("Location")).hasValue("/api/v1/queries/" + id);
        assertThat(first.body()).contains("\"code\":\"accepted\"", "/api/v1/queries/" + id + "/events");
        assertThat(queueLength()).isEqualTo(queuedBefore + 1);

        CompletableFuture<HttpResponse<String>> retry =
                http.sendAsync(jsonPost(key), HttpResponse.BodyHandlers.ofString());
        Job job = takeJob();
        assertThat(job.id()).isEqualTo(id);
        worker(job).finish(new StreamEvent.Done(new Usage(1, 1, 0), "stop"), "4");

        HttpResponse<String> replay = retry.get(30, TimeUnit.SECONDS);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(replay.body()).contains("\"id\":\"" + id + "\"", "\"finish_reason\":\"stop\"");
        assertThat(queueLength()).as("the retry queued nothing").isEqualTo(queuedBefore + 1);
    }

    /** Every key but {@code agentic:req:*}: Redis globs have no negation, so spell out the complement. */
    private static void refuseRequestHashes() {
        String prefix = "agentic:req:";
        AclSetuserArgs args = AclSetuserArgs.Builder.resetKeys();
        for (int i = 0; i < prefix.length(); i++) {
            args.keyPattern(prefix.substring(0, i) + "[^" + prefix.charAt(i) + "]*");
        }
        redis().aclSetuser("default", args);
    }

    private static void allowEveryKey() {
        redis().aclSetuser("default", AclSetuserArgs.Builder.allKeys());
    }

    private static long queueLength() {
        String queue = RedisKeys.queue(Lane.INTERACTIVE);
        return redis().exists(queue) == 0 ? 0 : redis().xlen(queue);
    }

    private static String idIn(String body) {
        Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(body);
        assertThat(id.find()).as(body).isTrue();
        return id.group(1);
    }

    private HttpRequest jsonPost(String idempotencyKey) {
        return request("/api/v1/query")
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(MATH))
                .build();
    }
}
