package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.ingress.security.AnyRole;
import dev.agentic.ingress.security.RequiresRole;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Every protected endpoint against every role: the role it needs (or admin) passes the gate and
 * gets the endpoint's own answer; any other role gets 403 {@code forbidden}; no key gets 401.
 */
class AuthorizationMatrixTest extends RedisBackedTest {
    private static final String UNKNOWN_ID = "0b8f5a8e-3c3e-4a4b-9a59-6f1f2b8f9d10";
    /** A tenant name in paths of the limits admin API. */
    private static final String TENANT = "matrix-tenant";

    private static final Map<String, String> KEYS = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    /**
     * @param role the role the endpoint requires
     * @param status what a caller with that role gets (the endpoint's own answer to this request)
     */
    record Endpoint(String method, String path, String body, String role, int status) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** The role of an endpoint every valid key may call ({@code @AnyRole}). */
    static final String ANY_ROLE = "any";

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("POST", "/api/v1/query", "{}", "user", 400),
            new Endpoint("GET", "/api/v1/queries/" + UNKNOWN_ID, "", "user", 404),
            new Endpoint("GET", "/api/v1/queries/" + UNKNOWN_ID + "/events", "", "user", 404),
            new Endpoint("DELETE", "/api/v1/queries/" + UNKNOWN_ID, "", "user", 404),
            new Endpoint("GET", "/api/v1/admin/admission", "", "operator", 200),
            new Endpoint("PUT", "/api/v1/admin/admission", "{}", "operator", 200),
            new Endpoint("GET", "/api/v1/admin/dead-letters", "", "operator", 200),
            new Endpoint("POST", "/api/v1/admin/dead-letters/99-9/retry", "", "operator", 404),
            new Endpoint("DELETE", "/api/v1/admin/dead-letters/99-9", "", "operator", 404),
            new Endpoint("DELETE", "/api/v1/admin/dead-letters", "", "operator", 200),
            new Endpoint("POST", "/api/v1/admin/keys", "{}", "admin", 400),
            new Endpoint("GET", "/api/v1/admin/keys", "", "admin", 200),
            new Endpoint("GET", "/api/v1/admin/limits", "", "operator", 200),
            new Endpoint("PUT", "/api/v1/admin/limits", "{}", "operator", 200),
            new Endpoint("GET", "/api/v1/admin/limits/tenants/" + TENANT, "", "operator", 200),
            new Endpoint("PUT", "/api/v1/admin/limits/tenants/" + TENANT, "{}", "operator", 200),
            new Endpoint("DELETE", "/api/v1/admin/limits/tenants/" + TENANT, "", "operator", 200),
            new Endpoint("GET", "/api/v1/usage", "", "user", 200),
            new Endpoint("POST", "/api/v1/documents", "{}", "ingest", 400),
            new Endpoint("DELETE", "/api/v1/admin/keys/ffffffffffffffff", "", "admin", 404),
            new Endpoint("POST", "/v1/chat/completions", "{}", "user", 400),
            new Endpoint("GET", "/v1/models", "", "user", 200),
            new Endpoint("GET", "/api/v1/me", "", ANY_ROLE, 200),
            new Endpoint("GET", "/api/v1/admin/overview", "", "operator", 200),
            new Endpoint("GET", "/api/v1/admin/overview/stream", "", "operator", 200),
            new Endpoint("GET", "/api/v1/admin/requests", "", "operator", 200),
            new Endpoint("GET", "/api/v1/admin/requests/" + UNKNOWN_ID + "/events", "", "operator", 404));

    static final List<String> ROLES = List.of("admin", "operator", "ingest", "user");

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint endpoint : ENDPOINTS) {
            for (String role : ROLES) {
                cases.add(Arguments.of(endpoint, role));
            }
        }
        return cases.stream();
    }

    static Stream<Endpoint> endpoints() {
        return ENDPOINTS.stream();
    }

    private String keyFor(String role) {
        return KEYS.computeIfAbsent(role, r -> createKey("matrix", r, "*"));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void eachRoleGetsExactlyItsEndpoints(Endpoint endpoint, String role) throws Exception {
        Reply response = send(endpoint, "Bearer " + keyFor(role));
        boolean allowed = role.equals("admin")
                || role.equals(endpoint.role())
                || endpoint.role().equals(ANY_ROLE);
        if (allowed) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(endpoint.status());
        } else {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
            if (endpoint.path().startsWith("/v1/")) { // the OpenAI API's error shape
                assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
                assertThat(response.body()).contains("\"type\":\"permission_error\"", "\"code\":\"forbidden\"");
                return;
            }
            assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
            assertThat(response.body())
                    .contains("\"code\":\"forbidden\"", "\"required_role\":\"" + endpoint.role() + "\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void everyEndpointNeedsAKey(Endpoint endpoint) throws Exception {
        Reply response = send(endpoint, null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"agentic\"");
        assertThat(response.body()).contains("\"code\":\"unauthorized\"");
    }

    @Test
    void everyApiEndpointDeclaresTheRoleItNeedsAndIsInTheMatrix() {
        List<String> undeclared = new ArrayList<>();
        List<String> untested = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry :
                mappings.getHandlerMethods().entrySet()) {
            HandlerMethod handler = entry.getValue();
            for (String pattern : entry.getKey().getPatternValues()) {
                if (!(pattern.startsWith("/api/") || pattern.startsWith("/v1/")) || isOpen(pattern)) {
                    continue;
                }
                if (!handler.hasMethodAnnotation(RequiresRole.class)
                        && !handler.hasMethodAnnotation(AnyRole.class)
                        && !handler.getBeanType().isAnnotationPresent(RequiresRole.class)) {
                    undeclared.add(pattern);
                }
                String shape = pattern.replaceAll("\\{[^}]+}", "x");
                if (ENDPOINTS.stream()
                        .noneMatch(e -> e.path()
                                .replace(UNKNOWN_ID, "x")
                                .replace("99-9", "x")
                                .replace("ffffffffffffffff", "x")
                                .replace(TENANT, "x")
                                .equals(shape))) {
                    untested.add(pattern);
                }
            }
        }
        assertThat(undeclared).as("handlers without @RequiresRole").isEmpty();
        assertThat(untested).as("endpoints missing from this matrix").isEmpty();
    }

    private static boolean isOpen(String pattern) {
        return pattern.equals("/api/v1/health") || pattern.startsWith("/api/v1/monitoring/");
    }

    /** A response's status, headers and body; an event stream's body is not waited for (it never ends). */
    record Reply(int statusCode, java.net.http.HttpHeaders headers, String body) {}

    private Reply send(Endpoint endpoint, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(java.net.URI.create(url(endpoint.path())))
                .header("Content-Type", "application/json")
                .method(
                        endpoint.method(),
                        endpoint.body().isEmpty()
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(endpoint.body()));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<java.io.InputStream> response =
                http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = response.body()) {
            boolean stream =
                    response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream");
            return new Reply(
                    response.statusCode(),
                    response.headers(),
                    stream ? "" : new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
