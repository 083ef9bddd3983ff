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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Accepted or nothing: a query whose request cannot be opened, or whose job cannot be queued, is
 * refused with 503 and leaves nothing behind (no job, no request, its Idempotency-Key free for the
 * retry, which runs it once). The ingress opens the request before it queues the job. The faults
 * are real: an ACL on the Redis user that refuses the request hashes ({@code agentic:req:*}), or
 * the queues ({@code agentic:queue:*}).
 */
class AcceptedOrNothingTest extends RedisBackedTest {
    private static final String MATH = "{\"query\":\"What is 2+2?\",\"agent_type\":\"math\"}";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void refusesWith503AndQueuesNothingWhenTheRequestCannotBeOpenedAndARetryRunsItOnce() throws Exception {
        String key = "accepted-" + UUID.randomUUID();
        long queuedBefore = queueLength();
        HttpResponse<String> first = sendRefusing("agentic:req:", key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
        assertThat(queueLength()).as("nothing queued").isEqualTo(queuedBefore);

        CompletableFuture<HttpResponse<String>> retry =
                http.sendAsync(jsonPost(key), HttpResponse.BodyHandlers.ofString());
        Job job = takeJob();
        worker(job).finish(new StreamEvent.Done(new Usage(1, 1, 0), "stop"), "4");

        HttpResponse<String> answer = retry.get(30, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"id\":\"" + job.id() + "\"", "\"finish_reason\":\"stop\"");
        assertThat(queueLength()).as("the retry queued it once").isEqualTo(queuedBefore + 1);
    }

    @Test
    void refusesWith503AndLeavesNoRequestWhenTheJobCannotBeQueued() throws Exception {
        String key = "unqueued-" + UUID.randomUUID();
        long queuedBefore = queueLength();
        List<String> requestsBefore = redis().keys("agentic:req:*");
        HttpResponse<String> first = sendRefusing("agentic:queue:", key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
        assertThat(queueLength()).isEqualTo(queuedBefore);
        assertThat(redis().keys("agentic:req:*"))
                .as("the request opened for the job is deleted")
                .containsExactlyInAnyOrderElementsOf(requestsBefore);

        CompletableFuture<HttpResponse<String>> retry =
                http.sendAsync(jsonPost(key), HttpResponse.BodyHandlers.ofString());
        Job job = takeJob();
        worker(job).finish(new StreamEvent.Done(new Usage(1, 1, 0), "stop"), "4");
        assertThat(retry.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(queueLength()).isEqualTo(queuedBefore + 1);
    }

    /** Sends the query while the Redis user may touch no key starting with {@code prefix}. */
    private HttpResponse<String> sendRefusing(String prefix, String idempotencyKey) throws Exception {
        refuseKeysStartingWith(prefix);
        try {
            return http.send(jsonPost(idempotencyKey), HttpResponse.BodyHandlers.ofString());
        } finally {
            allowEveryKey();
        }
    }

    /** Every key but those starting with {@code prefix}: Redis globs have no negation, so spell out the complement. */
    private static void refuseKeysStartingWith(String prefix) {
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

    private HttpRequest jsonPost(String idempotencyKey) {
        return request("/api/v1/query")
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(MATH))
                .build();
    }
}
