package dev.agentic.worker.agent.general;

import dev.agentic.model.Usage;
import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentException;
import dev.agentic.worker.agent.AgentRequest;
import dev.agentic.worker.agent.AgentResult;
import dev.agentic.worker.agent.EventSink;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
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
 * Streams an answer from an OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp server,
 * OpenAI, or the project's simulator). Interrupting the job closes the provider stream, so no more
 * tokens are generated or paid for. A provider that falls silent for longer than the silence
 * timeout fails the job with {@code llm_timeout}: the HTTP client's own timeout only covers the
 * wait for the response headers, not the gaps inside a streamed body.
 */
public final class GeneralAgent implements Agent {
    private static final Duration DEFAULT_SILENCE_TIMEOUT = Duration.ofSeconds(60);

    private final StreamingChatModel model;
    private final String systemPrompt;
    private final Duration silenceTimeout;

    public GeneralAgent(StreamingChatModel model, String systemPrompt) {
        this(model, systemPrompt, DEFAULT_SILENCE_TIMEOUT);
    }

    /**
     * @param silenceTimeout longest wait for the first token or between two tokens
     */
    public GeneralAgent(StreamingChatModel model, String systemPrompt, Duration silenceTimeout) {
        if (silenceTimeout.isNegative() || silenceTimeout.isZero()) {
            throw new IllegalArgumentException("silence timeout must be positive");
        }
        this.model = model;
        this.systemPrompt = systemPrompt;
        this.silenceTimeout = silenceTimeout;
    }

    @Override
    public String name() {
        return "general";
    }

    @Override
    public AgentResult run(AgentRequest request, EventSink sink) throws InterruptedException {
        Relay relay = new Relay(sink);
        model.chat(List.of(SystemMessage.from(systemPrompt), UserMessage.from(request.query())), relay);
        try {
            return toResult(awaitAnswer(relay));
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

    private static AgentResult toResult(ChatResponse response) {
        TokenUsage usage = response.tokenUsage();
        long in = usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
        long out = usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
        FinishReason reason = response.finishReason();
        return new AgentResult(
                new Usage(in, out, 0), reason == null ? "stop" : reason.name().toLowerCase(Locale.ROOT));
    }

    static AgentException classify(@Nullable Throwable failure) {
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
        private final EventSink sink;
        private volatile boolean cancelled;
        private volatile long lastHeardNanos = System.nanoTime();

        Relay(EventSink sink) {
            this.sink = sink;
        }

        long lastHeardNanos() {
            return lastHeardNanos;
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
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            lastHeardNanos = System.nanoTime();
            handle.set(context.streamingHandle());
            if (cancelled || sink.isClosed()) {
                context.streamingHandle().cancel();
                completion.completeExceptionally(new AgentException("cancelled", "The request was cancelled", false));
                return;
            }
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
