package dev.agentic.ingress.openai;

import dev.agentic.ingress.relay.ResumeFormat;
import dev.agentic.ingress.relay.SseFormat;
import dev.agentic.model.RedisKeys;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Resumes a stream as chat-completion chunks ({@code GET /api/v1/queries/{id}/events?format=openai}
 * with {@code Last-Event-ID}): the same chunks a {@code /v1/chat/completions} stream sends, the
 * role chunk first again. The usage chunk is not sent (the resuming client's {@code stream_options}
 * are not known).
 */
@Component
class ChatResume implements ResumeFormat {
    private final JsonMapper json;

    ChatResume(JsonMapper json) {
        this.json = json;
    }

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public SseFormat open(Map<String, String> status) {
        String created = status.getOrDefault("created_ms", "0");
        return new ChatChunks(
                json,
                status.getOrDefault(RedisKeys.AGENT_FIELD, ""),
                created.matches("\\d{1,18}") ? Long.parseLong(created) / 1000 : 0,
                false);
    }
}
