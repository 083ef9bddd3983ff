package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class HealthEndpointsTest extends RedisBackedTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void healthLiveAndReadyAnswerWhileRedisIsUp() throws Exception {
        assertThat(get("/api/v1/health").body()).contains("\"status\":\"healthy\"", "\"redis\":\"up\"");
        assertThat(get("/api/v1/monitoring/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/api/v1/monitoring/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"ready\"");
    }

    @Test
    void prometheusExposesTheIngressMetrics() throws Exception {
        post("{\"query\":\"hi\",\"agent_type\":\"nope\"}");
        HttpResponse<String> metrics = get("/actuator/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains(
                        "agentic_ingress_streams_active", "agentic_ingress_refused_total{", "reason=\"unknown_agent\"");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void post(String body) throws Exception {
        http.send(
                request("/api/v1/query")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
