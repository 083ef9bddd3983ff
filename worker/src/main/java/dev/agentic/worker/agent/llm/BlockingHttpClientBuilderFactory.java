package dev.agentic.worker.agent.llm;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpClientBuilderFactory;

/**
 * Makes {@link BlockingHttpClient} the worker's langchain4j HTTP client where none is given
 * explicitly (langchain4j finds it through {@code META-INF/services}).
 */
public final class BlockingHttpClientBuilderFactory implements HttpClientBuilderFactory {
    @Override
    public HttpClientBuilder create() {
        return new BlockingHttpClientBuilder();
    }
}
