package dev.agentic.ingress.openai;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.query.Intake;
import dev.agentic.ingress.query.QueryAnswer;
import dev.agentic.ingress.query.QueryRequest;
import dev.agentic.ingress.security.Caller;
import dev.agentic.ingress.security.RequiresRole;
import dev.agentic.ingress.security.Role;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.IngestDocument;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/chat/completions} and {@code GET /v1/models}: the OpenAI chat-completions protocol
 * over the same {@link Intake} as {@code /api/v1/query} (queue, workers, limits, budgets, usage).
 * The model names the agent. The request id comes back in {@code X-Request-Id}: the native API can
 * then follow, resume or cancel it.
 */
@RestController
@RequiresRole(Role.USER)
class ChatCompletionsController {
    private final Intake intake;
    private final Set<String> agents;
    private final JsonMapper json;
    private final Clock clock;

    ChatCompletionsController(Intake intake, IngressProperties properties, JsonMapper json, Clock clock) {
        this.intake = intake;
        this.agents = properties.ingress().agents();
        this.json = json;
        this.clock = clock;
    }

    @PostMapping(path = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Nullable
    ResponseEntity<Map<String, Object>> complete(
            @RequestBody Map<String, Object> body,
            Caller caller,
            @RequestHeader(value = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            @RequestHeader(value = "X-Timeout-Ms", required = false) @Nullable String timeout,
            @RequestHeader(value = HttpHeaders.CACHE_CONTROL, required = false) @Nullable String cacheControl,
            HttpServletRequest http,
            HttpServletResponse response) {
        ChatRequest chat = ChatRequest.of(body);
        if (!offered(chat.model())) {
            throw new ApiException(
                    HttpStatus.NOT_FOUND,
                    "model_not_found",
                    "The model '" + ApiException.printable(chat.model()) + "' does not exist",
                    Map.of(OpenAiErrors.PARAM, "model"));
        }
        long created = clock.millis() / 1000;
        QueryAnswer answer = intake.answer(
                new QueryRequest(chat.prompt(), chat.model(), null, null, null, null),
                chat.options(),
                caller,
                new Intake.QueryHeaders(null, idempotencyKey, timeout, cacheControl),
                chat.stream(),
                new ChatChunks(json, chat.model(), created, chat.includeUsage()),
                http,
                response);
        if (answer == null) {
            return null; // streamed
        }
        return ResponseEntity.ok()
                .header("X-Request-Id", answer.id())
                .body(ChatChunks.completion(answer, chat.model(), created));
    }

    /** The models (agents) this key may use. */
    @GetMapping("/v1/models")
    Map<String, Object> models(Caller caller) {
        List<Map<String, Object>> data = agents.stream()
                .filter(this::offered)
                .filter(caller::mayUse)
                .sorted()
                .map(ChatCompletionsController::model)
                .toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("data", data);
        return body;
    }

    private boolean offered(String model) {
        return agents.contains(model) && !IngestDocument.AGENT.equals(model);
    }

    private static Map<String, Object> model(String id) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("id", id);
        model.put("object", "model");
        model.put("created", 0);
        model.put("owned_by", "agentic");
        return model;
    }
}
