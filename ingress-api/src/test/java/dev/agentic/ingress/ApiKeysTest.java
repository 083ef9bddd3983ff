package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentic.model.RedisKeys;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeysTest extends RedisBackedTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theBootstrapKeyIsStoredHashedNeverInTheClear() throws Exception {
        Map<String, String> stored = redis().hgetall(RedisKeys.apiKey("00000000000000a1"));
        String secret = ADMIN_KEY.substring("agk_00000000000000a1_".length());
        assertThat(stored)
                .containsEntry("tenant", "public")
                .containsEntry("roles", "admin")
                .containsEntry("agents", "*")
                .containsEntry("hash", sha256(secret));
        assertThat(stored.values()).noneMatch(v -> v.contains(secret));
        assertThat(redis().smembers(RedisKeys.API_KEYS)).contains("00000000000000a1");
    }

    @Test
    void aCreatedKeyIsShownOnceAndListedWithoutSecretOrHash() throws Exception {
        String key = createKey("acme", "user,ingest", "math");
        assertThat(key).matches("agk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        String id = key.substring(4, 20);

        HttpResponse<String> list =
                send(request("/api/v1/admin/keys?tenant=acme").GET());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body())
                .contains(
                        "\"id\":\"" + id + "\"",
                        "\"tenant\":\"acme\"",
                        "\"roles\":[\"ingest\",\"user\"]",
                        "\"agents\":[\"math\"]",
                        "\"revoked\":false")
                .doesNotContain(key.substring(21), "hash", redis().hget(RedisKeys.apiKey(id), "hash"));
        assertThat(send(request("/api/v1/admin/keys?tenant=other").GET()).body())
                .doesNotContain(id);
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnceHereAndWithinTheCacheTtlEverywhere() throws Exception {
        String key = createKey("acme", "user", "*");
        String id = key.substring(4, 20);
        assertThat(status(key)).isEqualTo(404); // authenticated: the id is just unknown
        HttpResponse<String> revoked = send(request("/api/v1/admin/keys/" + id).DELETE());
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(revoked.body()).contains("\"revoked\":true", "\"revoked_ms\":");
        assertThat(status(key)).isEqualTo(401);

        // Another instance still holding the key in its cache: simulated by re-creating the entry
        // behind this instance's back, then revoking it in Redis only.
        String other = createKey("acme", "user", "*");
        assertThat(status(other)).isEqualTo(404);
        redis().hset(RedisKeys.apiKey(other.substring(4, 20)), "revoked_ms", "1");
        await().atMost(Duration.ofSeconds(3)).until(() -> status(other) == 401);
    }

    @Test
    void revokingIsIdempotentAndUnknownKeysAreNotFound() throws Exception {
        String id = createKey("acme", "user", "*").substring(4, 20);
        assertThat(send(request("/api/v1/admin/keys/" + id).DELETE()).statusCode())
                .isEqualTo(200);
        assertThat(send(request("/api/v1/admin/keys/" + id).DELETE()).statusCode())
                .isEqualTo(200);
        assertThat(send(request("/api/v1/admin/keys/0123456789abcdef").DELETE()).statusCode())
                .isEqualTo(404);
        assertThat(send(request("/api/v1/admin/keys/NOT-AN-ID").DELETE()).statusCode())
                .isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Basic dXNlcjpwYXNz",
                "Bearer ",
                "Bearer not-a-key",
                "Bearer agk_00000000000000a1_wrong-secret-0123456789",
                "Bearer agk_ffffffffffffffff_test-admin-secret-0123456789",
                "Bearer agk_00000000000000a1_short",
                "Token agk_00000000000000a1_test-admin-secret-0123456789",
            })
    void refusesMissingGarbledOrUnknownKeysWith401(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(java.net.URI.create(url("/api/v1/admin/keys")));
        if (!authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = send(request.GET());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"agentic\"");
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(response.body())
                .contains("\"code\":\"unauthorized\"", "\"type\":\"urn:agentic:problem:unauthorized\"");
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(java.net.URI.create(url("/api/v1/admin/keys")))
                .header("Authorization", "bearer " + ADMIN_KEY)
                .GET());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"tenant\":\"../x\",\"roles\":[\"user\"]}",
                "{\"tenant\":\"Acme\",\"roles\":[\"user\"]}",
                "{\"roles\":[\"user\"]}",
                "{\"tenant\":\"acme\",\"roles\":[]}",
                "{\"tenant\":\"acme\",\"roles\":[\"root\"]}",
                "{\"tenant\":\"acme\",\"roles\":[\"user\"],\"agents\":[\"a b\"]}",
                "{\"tenant\":\"acme\",\"roles\":[\"user\"],\"name\":\"bad\\u0000name\"}",
            })
    void refusesInvalidKeyRequests(String body) throws Exception {
        HttpResponse<String> response = send(request("/api/v1/admin/keys")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("\"code\":\"invalid_request\"");
    }

    private int status(String key) throws Exception {
        return send(HttpRequest.newBuilder(
                                java.net.URI.create(url("/api/v1/queries/0b8f5a8e-3c3e-4a4b-9a59-6f1f2b8f9d10")))
                        .header("Authorization", "Bearer " + key)
                        .GET())
                .statusCode();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
