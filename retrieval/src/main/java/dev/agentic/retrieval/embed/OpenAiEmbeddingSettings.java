package dev.agentic.retrieval.embed;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How to reach an OpenAI-compatible embeddings endpoint (OpenAI, vLLM, Ollama, llama.cpp server,
 * text-embeddings-inference).
 *
 * @param baseUrl the API root the path {@code /embeddings} is appended to, e.g. {@code
 *     https://api.openai.com/v1}
 * @param model the {@code model} sent with every request, e.g. {@code text-embedding-3-small}
 * @param apiKey sent as {@code Authorization: Bearer <key>}; {@code null} sends no such header
 * @param dimension the length of the model's vectors; an answer of another length is an error
 * @param connectTimeout how long opening a connection may take
 * @param requestTimeout how long one request may take, from sending to the whole answer
 * @param maxBatchSize the most texts sent in one request; longer lists are split
 */
public record OpenAiEmbeddingSettings(
        URI baseUrl,
        String model,
        @Nullable String apiKey,
        int dimension,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxBatchSize) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_BATCH_SIZE = 64;

    public OpenAiEmbeddingSettings {
        String scheme = baseUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("embeddings base URL must be http or https: " + baseUrl);
        }
        if (model.isBlank()) {
            throw new IllegalArgumentException("embedding model must not be blank");
        }
        if (dimension < 1) {
            throw new IllegalArgumentException("embedding dimension must be positive: " + dimension);
        }
        requirePositive("connect timeout", connectTimeout);
        requirePositive("request timeout", requestTimeout);
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max batch size must be positive: " + maxBatchSize);
        }
    }

    /** The defaults for everything but the endpoint, the model, the key and the dimension. */
    public static OpenAiEmbeddingSettings of(URI baseUrl, String model, @Nullable String apiKey, int dimension) {
        return new OpenAiEmbeddingSettings(
                baseUrl,
                model,
                apiKey,
                dimension,
                DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_BATCH_SIZE);
    }

    public OpenAiEmbeddingSettings withTimeouts(Duration connect, Duration request) {
        return new OpenAiEmbeddingSettings(baseUrl, model, apiKey, dimension, connect, request, maxBatchSize);
    }

    public OpenAiEmbeddingSettings withMaxBatchSize(int size) {
        return new OpenAiEmbeddingSettings(baseUrl, model, apiKey, dimension, connectTimeout, requestTimeout, size);
    }

    /** {@code <baseUrl>/embeddings}, with exactly one slash between the two. */
    URI endpoint() {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + "embeddings");
    }

    private static void requirePositive(String what, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + duration);
        }
    }

    @Override
    public String toString() {
        return "OpenAiEmbeddingSettings[baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                + (apiKey == null ? "none" : "(set)") + ", dimension=" + dimension + ", connectTimeout="
                + connectTimeout + ", requestTimeout=" + requestTimeout + ", maxBatchSize=" + maxBatchSize + "]";
    }
}
