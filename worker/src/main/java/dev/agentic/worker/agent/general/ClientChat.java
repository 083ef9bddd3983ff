package dev.agentic.worker.agent.general;

import dev.agentic.model.ChatOptions;
import dev.agentic.model.StreamEvent;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An OpenAI API client's own conversation and parameters as a langchain4j request: its messages as
 * they are (the agent's system prompt first only when the client sent no system message), its tool
 * calls and results, its tools, and its sampling parameters passed on.
 */
final class ClientChat {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ClientChat() {}

    static ChatRequest request(ChatOptions chat, String systemPrompt) {
        List<ChatMessage> messages = new ArrayList<>();
        if (chat.messages().stream().noneMatch(turn -> turn.role().equals("system"))) {
            messages.add(SystemMessage.from(systemPrompt));
        }
        Map<String, String> calledTools = new HashMap<>();
        for (ChatOptions.Turn turn : chat.messages()) {
            messages.add(
                    switch (turn.role()) {
                        case "system" -> SystemMessage.from(turn.content());
                        case "assistant" -> assistant(turn, calledTools);
                        case "tool" ->
                            ToolExecutionResultMessage.from(
                                    turn.toolCallId(),
                                    calledTools.getOrDefault(String.valueOf(turn.toolCallId()), ""),
                                    turn.content());
                        default -> UserMessage.from(turn.content());
                    });
        }
        OpenAiChatRequestParameters.Builder parameters = OpenAiChatRequestParameters.builder()
                .temperature(chat.temperature())
                .topP(chat.topP())
                .maxOutputTokens(chat.maxTokens())
                .stopSequences(chat.stop())
                .seed(chat.seed())
                .presencePenalty(chat.presencePenalty())
                .frequencyPenalty(chat.frequencyPenalty())
                .parallelToolCalls(chat.parallelToolCalls());
        if (chat.tools() != null) {
            parameters.toolSpecifications(
                    chat.tools().stream().map(ClientChat::tool).toList());
        }
        if (chat.toolChoice() != null) {
            parameters.toolChoice(ToolChoice.valueOf(chat.toolChoice().toUpperCase(Locale.ROOT)));
        }
        return ChatRequest.builder()
                .messages(messages)
                .parameters(parameters.build())
                .build();
    }

    private static AiMessage assistant(ChatOptions.Turn turn, Map<String, String> calledTools) {
        List<StreamEvent.ToolCall> calls = turn.toolCalls();
        if (calls == null || calls.isEmpty()) {
            return AiMessage.from(turn.content());
        }
        calls.forEach(call -> calledTools.put(call.id(), call.name()));
        return AiMessage.builder()
                .text(turn.content().isEmpty() ? null : turn.content())
                .toolExecutionRequests(calls.stream()
                        .map(call -> ToolExecutionRequest.builder()
                                .id(call.id())
                                .name(call.name())
                                .arguments(call.arguments())
                                .build())
                        .toList())
                .build();
    }

    /**
     * A function as langchain4j's tool. The ingress checked that its schema is an object schema of
     * only the keywords kept here; each property's own schema passes on as it was written.
     */
    static ToolSpecification tool(ChatOptions.Tool tool) {
        ToolSpecification.Builder spec = ToolSpecification.builder()
                .name(tool.name())
                .description(tool.description())
                .strict(tool.strict());
        if (tool.parameters() == null) {
            return spec.build();
        }
        JsonNode schema = JSON.readTree(tool.parameters());
        JsonObjectSchema.Builder parameters = JsonObjectSchema.builder();
        if (schema.path("description").isString()) {
            parameters.description(schema.get("description").stringValue());
        }
        schema.path("properties")
                .properties()
                .forEach(property -> parameters.addProperty(
                        property.getKey(),
                        JsonRawSchema.from(property.getValue().toString())));
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(name -> required.add(name.asString()));
        if (!required.isEmpty()) {
            parameters.required(required);
        }
        if (schema.path("additionalProperties").isBoolean()) {
            parameters.additionalProperties(schema.get("additionalProperties").booleanValue());
        }
        Map<String, JsonSchemaElement> definitions = new HashMap<>();
        schema.path("$defs")
                .properties()
                .forEach(definition -> definitions.put(
                        definition.getKey(),
                        JsonRawSchema.from(definition.getValue().toString())));
        if (!definitions.isEmpty()) {
            parameters.definitions(definitions);
        }
        return spec.parameters(parameters.build()).build();
    }
}
