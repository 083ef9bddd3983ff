package dev.agentic.ingress.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.agentic.ingress.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bounds of a chat request's tools that a small test body limit keeps the HTTP tests from reaching. */
class ChatToolsTest {
    private static final List<Map<String, Object>> USER = List.of(Map.of("role", "user", "content", "x"));

    private static Map<String, Object> function(String name) {
        return Map.of("type", "function", "function", Map.of("name", name));
    }

    private static ApiException refusal(Map<String, Object> body) {
        return catchThrowableOfType(ApiException.class, () -> ChatRequest.of(body));
    }

    @Test
    void takesAtMost128ToolsAnd128CallsInAMessage() {
        List<Map<String, Object>> tools = new ArrayList<>();
        for (int i = 0; i < ChatTools.MAX_TOOLS; i++) {
            tools.add(function("f" + i));
        }
        ChatRequest most = ChatRequest.of(Map.of("model", "general", "tools", tools, "messages", USER));
        assertThat(most.options()).isNotNull();
        assertThat(most.options().tools()).hasSize(ChatTools.MAX_TOOLS);

        List<Map<String, Object>> tooMany = new ArrayList<>(tools);
        tooMany.add(function("one_more"));
        assertThat(refusal(Map.of("model", "general", "tools", tooMany, "messages", USER))
                        .getMessage())
                .contains("1 to 128");

        List<Map<String, Object>> calls = new ArrayList<>();
        for (int i = 0; i <= ChatTools.MAX_TOOLS; i++) {
            calls.add(Map.of("id", "c" + i, "type", "function", "function", Map.of("name", "f", "arguments", "{}")));
        }
        Map<String, Object> assistant = Map.of("role", "assistant", "tool_calls", calls);
        assertThat(refusal(Map.of("model", "general", "messages", List.of(assistant)))
                        .getMessage())
                .contains("1 to 128 calls");
    }

    @Test
    void aPropertysOwnSchemaPassesOnAsWrittenAndAnnotationsAreLeftOut() {
        Map<String, Object> schema = Map.of(
                "$schema", "https://json-schema.org/draft/2020-12/schema",
                "title", "Lookup",
                "type", "object",
                "properties",
                        Map.of("where", Map.of("anyOf", List.of(Map.of("type", "string"), Map.of("type", "null")))));
        ChatRequest request = ChatRequest.of(Map.of(
                "model",
                "general",
                "tools",
                List.of(Map.of("type", "function", "function", Map.of("name", "lookup", "parameters", schema))),
                "messages",
                USER));
        assertThat(request.options().tools().getFirst().parameters())
                .contains(
                        "\"type\":\"object\"",
                        "\"properties\":{\"where\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}}")
                .doesNotContain("title", "$schema");
    }
}
