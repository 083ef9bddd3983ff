package dev.agentic.worker.agent.llm;

import dev.langchain4j.http.client.HttpClientBuilder;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link BlockingHttpClient}; unset timeouts are 15 s to connect and 60 s to read (as
 * langchain4j's model builders default them).
 */
public final class BlockingHttpClientBuilder implements HttpClientBuilder {
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    private @Nullable Duration connectTimeout;
    private @Nullable Duration readTimeout;

    @Override
    public @Nullable Duration connectTimeout() {
        return connectTimeout;
    }

    @Override
    public BlockingHttpClientBuilder connectTimeout(@Nullable Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    @Override
    public @Nullable Duration readTimeout() {
        return readTimeout;
    }

    /** The longest wait for the response headers and between two reads of the body. */
    @Override
    public BlockingHttpClientBuilder readTimeout(@Nullable Duration timeout) {
        this.readTimeout = timeout;
        return this;
    }

    @Override
    public BlockingHttpClient build() {
        return new BlockingHttpClient(
                connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout,
                readTimeout == null ? DEFAULT_READ_TIMEOUT : readTimeout);
    }
}
