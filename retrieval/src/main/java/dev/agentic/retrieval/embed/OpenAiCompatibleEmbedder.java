package dev.agentic.retrieval.embed;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST <base-url>/embeddings} with {@code {"model", "input": [...], "encoding_format":
 * "float"}}; vectors are put back in input order by their {@code index}. 429, 5xx, timeouts and
 * connection failures are {@link EmbeddingUnavailableException}s; other refusals and malformed
 * answers are {@link EmbeddingException}s. No retries here: the caller decides.
 */
final class OpenAiCompatibleEmbedder implements Embedder {
    private static final int MAX_ERROR_BODY = 500;

    private final OpenAiEmbeddingSettings settings;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();

    OpenAiCompatibleEmbedder(OpenAiEmbeddingSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .build();
    }

    @Override
    public int dimension() {
        return settings.dimension();
    }

    @Override
    public float[] embed(String text) {
        return embedAll(List.of(text)).getFirst();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        Vectors.requireTexts(texts);
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += settings.maxBatchSize()) {
            List<String> batch = texts.subList(from, Math.min(texts.size(), from + settings.maxBatchSize()));
            vectors.addAll(request(batch));
        }
        return List.copyOf(vectors);
    }

    private List<float[]> request(List<String> batch) {
        HttpResponse<byte[]> response = send(requestFor(batch));
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw refusal(status, response.body());
        }
        return parse(response.body(), batch.size());
    }

    private HttpRequest requestFor(List<String> batch) {
        ObjectNode body = json.createObjectNode();
        body.put("model", settings.model());
        ArrayNode input = body.putArray("input");
        batch.forEach(input::add);
        body.put("encoding_format", "float");
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.endpoint())
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        String apiKey = settings.apiKey();
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return request.build();
    }

    private HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new EmbeddingUnavailableException(
                    "embeddings at " + settings.baseUrl() + " timed out (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new EmbeddingUnavailableException("embeddings at " + settings.baseUrl() + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddingUnavailableException("interrupted while waiting for embeddings", e);
        }
    }

    private EmbeddingException refusal(int status, byte[] body) {
        String message = "embeddings at " + settings.baseUrl() + " answered " + status + ": " + excerpt(body);
        return isRetryable(status) ? new EmbeddingUnavailableException(message) : new EmbeddingException(message);
    }

    private static boolean isRetryable(int status) {
        return status == 429 || status == 408 || status >= 500;
    }

    private List<float[]> parse(byte[] body, int expected) {
        JsonNode data;
        try {
            data = json.readTree(body).path("data");
        } catch (JacksonException e) {
            throw new EmbeddingException("embeddings answer is not JSON: " + excerpt(body), e);
        }
        if (!data.isArray() || data.size() != expected) {
            throw new EmbeddingException(
                    "embeddings answer has " + data.size() + " vectors for " + expected + " texts: " + excerpt(body));
        }
        float[][] vectors = new float[expected][];
        for (JsonNode item : data) {
            int index = item.path("index").asInt(-1);
            if (index < 0 || index >= expected || vectors[index] != null) {
                throw new EmbeddingException("embeddings answer has a missing or repeated index: " + index);
            }
            vectors[index] = Vectors.normalized(vector(item.path("embedding")));
        }
        return List.of(vectors);
    }

    private float[] vector(JsonNode embedding) {
        if (!embedding.isArray() || embedding.size() != settings.dimension()) {
            throw new EmbeddingException("expected an embedding of " + settings.dimension() + " numbers, got "
                    + (embedding.isArray() ? embedding.size() + " numbers" : embedding.getNodeType()));
        }
        float[] vector = new float[embedding.size()];
        for (int i = 0; i < vector.length; i++) {
            JsonNode value = embedding.get(i);
            if (!value.isNumber()) {
                throw new EmbeddingException("embedding value " + i + " is not a number");
            }
            vector[i] = value.floatValue();
        }
        return vector;
    }

    private static String excerpt(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() <= MAX_ERROR_BODY ? text : text.substring(0, MAX_ERROR_BODY) + "...";
    }

    @Override
    public String toString() {
        return "Embedder[" + settings + "]";
    }
}
