package dev.agentic.worker.agent.llm;

import dev.agentic.model.Usage;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.EventSink;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Streams one answer of an OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp server, OpenAI,
 * or the project's simulator) into an {@link EventSink}. Interrupting the calling thread closes the
 * provider stream, so no more tokens are generated or paid for. The tool calls the model makes go
 * to the sink whole, once the answer is complete, and the answer ends with {@code tool_calls}. A provider that falls silent for
 * longer than the silence timeout fails with {@code llm_timeout}. The model's HTTP client may stream
 * on the calling thread ({@link BlockingHttpClient}: its read timeout is the silence timeout, and
 * an interrupt closes its socket) or on threads of its own (then this class keeps the silence
 * timeout, and closes the stream through its handle).
 */
public final class LlmStream {
    private final StreamingChatModel model;
    private final Duration silenceTimeout;

    /**
     * @param silenceTimeout longest wait for the first token or between two tokens
     */
    public LlmStream(StreamingChatModel model, Duration silenceTimeout) {
        if (silenceTimeout.isNegative() || silenceTimeout.isZero()) {
            throw new IllegalArgumentException("silence timeout must be positive");
        }
        this.model = model;
        this.silenceTimeout = silenceTimeout;
    }

    /**
     * The whole answer: its text and how it ended.
     *
     * @param text what the provider generated (the tokens streamed, joined)
     */
    public record Answer(String text, AgentResult result) {}

    /**
     * Sends the messages and streams the answer's tokens into {@code sink}; returns once the provider
     * has finished.
     *
     * @throws AgentException when the provider fails, falls silent or the sink closes
     * @throws InterruptedException when the job is stopped; the provider stream is closed
     */
    public Answer stream(List<ChatMessage> messages, EventSink sink) throws InterruptedException {
        return stream(ChatRequest.builder().messages(messages).build(), sink);
    }

    /** As {@link #stream(List, EventSink)}, with the request's own parameters (temperature, stop...). */
    public Answer stream(ChatRequest request, EventSink sink) throws InterruptedException {
        Relay relay = new Relay(sink);
        // With a blocking HTTP client (the worker's) the whole answer streams in here, on this thread.
        model.chat(request, relay);
        if (Thread.interrupted()) {
            relay.cancel();
            throw new InterruptedException("interrupted while the LLM answered");
        }
        try {
            ChatResponse response = awaitAnswer(relay);
            AiMessage message = response.aiMessage();
            if (message != null && message.hasToolExecutionRequests()) {
                message.toolExecutionRequests()
                        .forEach(call -> sink.toolCall(call.id(), call.name(), call.arguments()));
            }
            return new Answer(textOf(response, relay), toResult(response));
        } catch (InterruptedException e) {
            relay.cancel();
            throw e;
        } catch (ExecutionException e) {
            throw classify(e.getCause());
        }
    }

    /** Waits for the whole answer as long as the provider keeps sending; cancels it after a silence. */
    private ChatResponse awaitAnswer(Relay relay) throws InterruptedException, ExecutionException {
        while (true) {
            long silentFor = System.nanoTime() - relay.lastHeardNanos();
            long left = silenceTimeout.toNanos() - silentFor;
            if (left <= 0) {
                relay.cancel();
                throw new AgentException(
                        "llm_timeout", "The LLM stopped answering for more than " + silenceTimeout, true);
            }
            try {
                return relay.completion.get(left, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // Look again: a token may have arrived in the meantime and restarted the clock.
            }
        }
    }

    private static String textOf(ChatResponse response, Relay relay) {
        AiMessage message = response.aiMessage();
        String text = message == null ? null : message.text();
        return text == null ? relay.streamed() : text;
    }

    private static AgentResult toResult(ChatResponse response) {
        TokenUsage usage = response.tokenUsage();
        long in = usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
        long out = usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
        FinishReason reason = response.finishReason();
        String finish = switch (reason) {
            case null -> "stop";
            case TOOL_EXECUTION -> "tool_calls"; // OpenAI's name, which the clients of the answer expect
            default -> reason.name().toLowerCase(Locale.ROOT);
        };
        return new AgentResult(new Usage(in, out, 0), finish);
    }

    /** The error event a provider failure becomes. */
    public static AgentException classify(@Nullable Throwable failure) {
        return switch (failure) {
            case AgentException e -> e;
            case RateLimitException e -> new AgentException("llm_overloaded", "The LLM is over capacity", true, e);
            case TimeoutException e -> new AgentException("llm_timeout", "The LLM did not answer in time", true, e);
            case AuthenticationException e ->
                new AgentException("llm_auth", "The worker's LLM credentials were refused", false, e);
            case HttpException e ->
                new AgentException(
                        "llm_error", "The LLM answered with HTTP " + e.statusCode(), e.statusCode() >= 500, e);
            case null -> new AgentException("llm_unavailable", "The LLM call failed", true);
            default -> new AgentException("llm_unavailable", "The LLM could not be reached", true, failure);
        };
    }

    /** Passes tokens on as they arrive and remembers the handle that closes the provider stream. */
    private static final class Relay implements StreamingChatResponseHandler {
        final CompletableFuture<ChatResponse> completion = new CompletableFuture<>();
        private final AtomicReference<@Nullable StreamingHandle> handle = new AtomicReference<>();
        private final StringBuffer streamed = new StringBuffer();
        private final EventSink sink;
        private volatile boolean cancelled;
        private volatile long lastHeardNanos = System.nanoTime();

        Relay(EventSink sink) {
            this.sink = sink;
        }

        long lastHeardNanos() {
            return lastHeardNanos;
        }

        String streamed() {
            return streamed.toString();
        }

        @Override
        public void onPartialThinking(PartialThinking partial, PartialThinkingContext context) {
            lastHeardNanos = System.nanoTime();
            handle.set(context.streamingHandle());
            if (cancelled) {
                context.streamingHandle().cancel();
            }
        }

        @Override
        public void onPartialToolCall(PartialToolCall partial, PartialToolCallContext context) {
            lastHeardNanos = System.nanoTime(); // a call's arguments stream too: not a silence
            handle.set(context.streamingHandle());
            if (cancelled || sink.isClosed()) {
                context.streamingHandle().cancel();
                completion.completeExceptionally(new AgentException("cancelled", "The request was cancelled", false));
            }
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            lastHeardNanos = System.nanoTime();
            handle.set(context.streamingHandle());
            if (cancelled || sink.isClosed()) {
                context.streamingHandle().cancel();
                completion.completeExceptionally(new AgentException("cancelled", "The request was cancelled", false));
                return;
            }
            streamed.append(partial.text());
            sink.token(partial.text());
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            completion.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            completion.completeExceptionally(error);
        }

        void cancel() {
            cancelled = true;
            StreamingHandle current = handle.get();
            if (current != null) {
                current.cancel();
            }
        }
    }
}
