package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile bodies on {@code POST /v1/chat/completions}: each gets its 4xx in OpenAI's error shape,
 * quickly, and nothing is enqueued.
 */
class HostileChatRequestsTest extends RedisBackedTest {
    private static final String USER = "[{\"role\":\"user\",\"content\":\"x\"}]";

    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of("truncated JSON", "{\"model\":\"math\",\"messages\":", 400),
                Arguments.of("a JSON array", "[1,2]", 400),
                Arguments.of("JSON null", "null", 400),
                Arguments.of("trailing garbage", "{\"model\":\"math\",\"messages\":" + USER + "} x", 400),
                Arguments.of("model as number", "{\"model\":1,\"messages\":" + USER + "}", 400),
                Arguments.of("messages as object", "{\"model\":\"math\",\"messages\":{}}", 400),
                Arguments.of("a message as string", "{\"model\":\"math\",\"messages\":[\"hi\"]}", 400),
                Arguments.of(
                        "content as number",
                        "{\"model\":\"math\",\"messages\":[{\"role\":\"user\",\"content\":1}]}",
                        400),
                Arguments.of(
                        "content null",
                        "{\"model\":\"math\",\"messages\":[{\"role\":\"user\",\"content\":null}]}",
                        400),
                Arguments.of(
                        "a tool message",
                        "{\"model\":\"math\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
                        400),
                Arguments.of(
                        "deeply nested content",
                        "{\"model\":\"math\",\"messages\":[{\"role\":\"user\",\"content\":" + "[".repeat(900)
                                + "]".repeat(900) + "}]}",
                        400),
                Arguments.of(
                        "stream as string", "{\"model\":\"math\",\"stream\":\"yes\",\"messages\":" + USER + "}", 400),
                Arguments.of(
                        "temperature NaN",
                        "{\"model\":\"general\",\"temperature\":NaN,\"messages\":" + USER + "}",
                        400),
                Arguments.of(
                        "seed too large",
                        "{\"model\":\"general\",\"seed\":99999999999,\"messages\":" + USER + "}",
                        400),
                Arguments.of("tools as object", "{\"model\":\"general\",\"tools\":{},\"messages\":" + USER + "}", 400),
                Arguments.of(
                        "a tool without its function",
                        "{\"model\":\"general\",\"tools\":[{\"type\":\"function\"}],\"messages\":" + USER + "}",
                        400),
                Arguments.of(
                        "properties as an array",
                        "{\"model\":\"general\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
                                + "\"parameters\":{\"properties\":[1]}}}],\"messages\":" + USER + "}",
                        400),
                Arguments.of(
                        "tool_choice as number",
                        "{\"model\":\"general\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
                                + "\"tool_choice\":1,\"messages\":" + USER + "}",
                        400),
                Arguments.of(
                        "tool_calls as string",
                        "{\"model\":\"general\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":\"f()\"}]}",
                        400),
                Arguments.of(
                        "a tool message before any call",
                        "{\"model\":\"general\",\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":\"x\"}]}",
                        400),
                Arguments.of("stop as number", "{\"model\":\"general\",\"stop\":5,\"messages\":" + USER + "}", 400),
                Arguments.of(
                        "a query over the limit",
                        "{\"model\":\"math\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "9".repeat(600)
                                + "\"}]}",
                        400),
                Arguments.of(
                        "a body over the limit",
                        "{\"model\":\"math\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "9".repeat(4000)
                                + "\"}]}",
                        413));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void isRefusedInOpenAisShape(String name, String body, int status) throws Exception {
        String before = String.valueOf(redis().xlen(RedisKeys.queue(Lane.INTERACTIVE)));
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                                .timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer " + ADMIN_KEY)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).startsWith("{\"error\":{\"message\":").doesNotContain("Exception", "\tat ");
        assertThat(String.valueOf(redis().xlen(RedisKeys.queue(Lane.INTERACTIVE))))
                .isEqualTo(before);
    }
}
