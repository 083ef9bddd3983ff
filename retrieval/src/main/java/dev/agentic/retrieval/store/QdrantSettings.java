package dev.agentic.retrieval.store;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How to reach Qdrant over gRPC and which collection to use.
 *
 * @param host Qdrant's host name
 * @param port Qdrant's gRPC port (6334 by default; 6333 is REST)
 * @param apiKey sent as the {@code api-key} header; {@code null} sends none. Use it with TLS.
 * @param useTls whether to connect with TLS (needed for Qdrant Cloud)
 * @param collection the collection holding every tenant's chunks; created with {@code dimension}
 *     and Cosine distance when missing
 * @param dimension the length of the vectors; an existing collection of another size is refused
 * @param timeout the deadline of each gRPC call; a call past it fails with {@link
 *     VectorStoreUnavailableException}
 * @param upsertBatchSize the most points sent in one upsert request
 * @param checkCompatibility whether the client asks the server's version when the store is made and
 *     logs a warning on a mismatch; off by default because that call blocks without a deadline
 */
public record QdrantSettings(
        String host,
        int port,
        @Nullable String apiKey,
        boolean useTls,
        String collection,
        int dimension,
        Duration timeout,
        int upsertBatchSize,
        boolean checkCompatibility) {
    public static final int DEFAULT_PORT = 6334;
    public static final String DEFAULT_COLLECTION = "agentic_chunks";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_UPSERT_BATCH_SIZE = 64;

    public QdrantSettings {
        if (host.isBlank()) {
            throw new IllegalArgumentException("Qdrant host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("Qdrant port must be from 1 to 65535: " + port);
        }
        if (!collection.matches("[A-Za-z0-9_.-]{1,255}+")) {
            throw new IllegalArgumentException("Qdrant collection name must be 1-255 of [A-Za-z0-9_.-]: " + collection);
        }
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be positive: " + dimension);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("Qdrant timeout must be positive: " + timeout);
        }
        if (upsertBatchSize < 1) {
            throw new IllegalArgumentException("upsert batch size must be positive: " + upsertBatchSize);
        }
    }

    /** Plain-text gRPC on the default port, no API key, the defaults for the rest. */
    public static QdrantSettings of(String host, int dimension) {
        return new QdrantSettings(
                host,
                DEFAULT_PORT,
                null,
                false,
                DEFAULT_COLLECTION,
                dimension,
                DEFAULT_TIMEOUT,
                DEFAULT_UPSERT_BATCH_SIZE,
                false);
    }

    public QdrantSettings withEndpoint(String newHost, int newPort, boolean tls) {
        return new QdrantSettings(
                newHost, newPort, apiKey, tls, collection, dimension, timeout, upsertBatchSize, checkCompatibility);
    }

    public QdrantSettings withApiKey(@Nullable String key) {
        return new QdrantSettings(
                host, port, key, useTls, collection, dimension, timeout, upsertBatchSize, checkCompatibility);
    }

    public QdrantSettings withCollection(String name) {
        return new QdrantSettings(
                host, port, apiKey, useTls, name, dimension, timeout, upsertBatchSize, checkCompatibility);
    }

    public QdrantSettings withTimeout(Duration deadline) {
        return new QdrantSettings(
                host, port, apiKey, useTls, collection, dimension, deadline, upsertBatchSize, checkCompatibility);
    }

    public QdrantSettings withUpsertBatchSize(int size) {
        return new QdrantSettings(host, port, apiKey, useTls, collection, dimension, timeout, size, checkCompatibility);
    }

    public QdrantSettings withCheckCompatibility(boolean check) {
        return new QdrantSettings(host, port, apiKey, useTls, collection, dimension, timeout, upsertBatchSize, check);
    }

    @Override
    public String toString() {
        return "QdrantSettings[host=" + host + ", port=" + port + ", apiKey=" + (apiKey == null ? "none" : "(set)")
                + ", useTls=" + useTls + ", collection=" + collection + ", dimension=" + dimension + ", timeout="
                + timeout + ", upsertBatchSize=" + upsertBatchSize + ", checkCompatibility=" + checkCompatibility
                + "]";
    }
}
