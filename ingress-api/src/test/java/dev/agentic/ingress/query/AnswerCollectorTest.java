package dev.agentic.ingress.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.StreamEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The status a JSON client gets for each error code a worker can end a request with. */
class AnswerCollectorTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "math_unparseable, 422",
        "invalid_document, 422",
        "invalid_request, 422",
        "unknown_agent, 400",
        "deadline_exceeded, 504",
        "llm_timeout, 504",
        "cancelled, 409",
        "llm_unavailable, 503",
        "retrieval_unavailable, 503",
        "retrieval_failed, 502",
        "llm_auth, 502",
        "max_deliveries_exceeded, 500",
        "agent_failed, 500"
    })
    void mapsEachErrorCodeToItsStatus(String code, int status) {
        var failure = AnswerCollector.failed("id-1", new StreamEvent.Error(code, "message", true));
        assertThat(failure.status().value()).isEqualTo(status);
        assertThat(failure.code()).isEqualTo(code);
        assertThat(failure.properties()).containsEntry("retryable", true);
    }
}
