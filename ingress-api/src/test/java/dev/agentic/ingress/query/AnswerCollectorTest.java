package dev.agentic.ingress.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.StreamEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The status a JSON client gets for each error code a worker can end a request with. */
class AnswerCollectorTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "math_unparseable, 422, false",
        "math_error, 422, false",
        "math_too_large, 422, false",
        "invalid_document, 422, false",
        "invalid_request, 422, false",
        "unknown_agent, 400, false",
        "deadline_exceeded, 504, false",
        "llm_timeout, 504, true",
        "cancelled, 409, false",
        "llm_overloaded, 503, true",
        "llm_unavailable, 503, true",
        "redis_unavailable, 503, true",
        "retrieval_unavailable, 503, true",
        "retrieval_failed, 502, false",
        "llm_error, 502, false",
        "llm_auth, 502, false",
        "max_deliveries_exceeded, 500, false",
        "agent_failed, 500, false"
    })
    void mapsEachErrorCodeToItsStatusAndKeepsWhetherARetryMaySucceed(String code, int status, boolean retryable) {
        var failure = AnswerCollector.failed("id-1", new StreamEvent.Error(code, "message", retryable));
        assertThat(failure.status().value()).isEqualTo(status);
        assertThat(failure.code()).isEqualTo(code);
        assertThat(failure.properties()).containsEntry("retryable", retryable).containsEntry("id", "id-1");
    }
}
