package dev.agentic.worker.config;

import dev.agentic.model.Lane;
import dev.agentic.redis.RedisSettings;
import dev.agentic.worker.consumer.UsageAccounting;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Every knob of a worker (prefix {@code agentic}). docs/configuration.md lists them; a test checks
 * that the list and this record agree.
 *
 * @param redis how to reach Redis
 * @param worker the consumer loop
 * @param llm the OpenAI-compatible endpoint of the {@code general} agent
 * @param usage usage ledger and price table
 */
@Validated
@ConfigurationProperties("agentic")
public record WorkerProperties(
        @Valid @DefaultValue Redis redis,
        @Valid @DefaultValue Worker worker,
        @Valid @DefaultValue Llm llm,
        @Valid @DefaultValue Usage usage) {

    /**
     * @param retention how long a tenant's usage of a day (and of a month) is kept after its last update
     * @param prices USD per one million input and output tokens, by agent name ({@code
     *     agentic.usage.prices.general.input=0.15}); used when the agent reports no cost
     */
    public record Usage(
            @DefaultValue("400d") Duration retention,
            @Nullable Map<String, Price> prices) {
        /** The price table as the consumer uses it. */
        public Map<String, UsageAccounting.Price> priceTable() {
            Map<String, UsageAccounting.Price> table = new java.util.LinkedHashMap<>();
            if (prices != null) {
                prices.forEach(
                        (agent, price) -> table.put(agent, new UsageAccounting.Price(price.input(), price.output())));
            }
            return table;
        }
    }

    /**
     * @param input USD per one million input (prompt) tokens
     * @param output USD per one million output (generated) tokens
     */
    public record Price(
            @DefaultValue("0") @PositiveOrZero double input,
            @DefaultValue("0") @PositiveOrZero double output) {}

    /**
     * @param uri Redis URI; {@code rediss://} for TLS, {@code redis://user:password@host:port} for ACL users
     * @param commandTimeout how long one Redis command may take
     * @param connectTimeout how long a (re)connect attempt may take
     */
    public record Redis(
            @DefaultValue("redis://127.0.0.1:6379") String uri,
            @DefaultValue("2s") Duration commandTimeout,
            @DefaultValue("2s") Duration connectTimeout) {
        public RedisSettings settings() {
            return new RedisSettings(uri, commandTimeout, connectTimeout);
        }

        @Override
        public String toString() {
            return settings().toString();
        }
    }

    /**
     * @param name consumer name in the group; must be unique per instance (default: host name and pid)
     * @param concurrency jobs one worker runs at once
     * @param lanes lanes to consume, most preferred first
     * @param pollTimeout how long one blocking read waits for work
     * @param shutdownGrace how long a stopping worker lets in-flight jobs finish before interrupting them
     * @param eventRetention how long a request's status and event log are kept after its last event
     * @param diagnosticAgent register the {@code diagnostic} agent (fail / sleep on demand; for tests)
     * @param reclaimTimeout how long a job may go without its worker's refresh before another worker
     *     takes it over (the worker is presumed dead); live workers refresh their jobs every quarter of it
     * @param maxDeliveries deliveries after which a job goes to the dead-letter stream instead of
     *     running again
     * @param redisRetry how long an event append keeps retrying while Redis is unreachable
     * @param statusRetention how long a request's status outlives its terminal event (for 410 Gone)
     * @param otherLaneEvery after this many jobs in a row from the first lane, a waiting job of another
     *     lane goes first (so batch work is never starved by interactive work)
     */
    public record Worker(
            @Nullable String name,
            @DefaultValue("4") @Min(1) @Max(1024) int concurrency,

            @DefaultValue({"interactive", "batch"}) @NotEmpty
            List<Lane> lanes,

            @DefaultValue("2s") Duration pollTimeout,
            @DefaultValue("30s") Duration shutdownGrace,
            @DefaultValue("1h") Duration eventRetention,
            @DefaultValue("false") boolean diagnosticAgent,
            @DefaultValue("10s") Duration reclaimTimeout,
            @DefaultValue("5") @Min(1) int maxDeliveries,
            @DefaultValue("10s") Duration redisRetry,
            @DefaultValue("24h") Duration statusRetention,
            @DefaultValue("5") @Min(1) int otherLaneEvery) {

        public Worker {
            if (!pollTimeout.isPositive()) {
                throw new IllegalArgumentException(
                        "agentic.worker.poll-timeout must be positive (a zero timeout would spin)");
            }
            if (reclaimTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("agentic.worker.reclaim-timeout must be at least 1s");
            }
        }

        /** How often a worker refreshes its running jobs and looks for abandoned ones. */
        public Duration refreshInterval() {
            return reclaimTimeout.dividedBy(4);
        }

        public String consumerName() {
            if (name != null && !name.isBlank()) {
                return name;
            }
            String host = System.getenv().getOrDefault("HOSTNAME", "worker");
            return host + "-" + ProcessHandle.current().pid();
        }
    }

    /**
     * @param baseUrl OpenAI-compatible base URL (default: the local LLM simulator)
     * @param model model name sent to the provider
     * @param apiKey bearer key for the provider; never logged
     * @param systemPrompt system message of the {@code general} agent
     * @param maxTokens cap on generated tokens per answer
     * @param connectTimeout connect timeout to the provider
     * @param timeout read timeout: longest silence allowed inside a streamed answer
     */
    public record Llm(
            @DefaultValue("http://127.0.0.1:8090/v1") String baseUrl,
            @DefaultValue("agentic-llm-simulator") String model,
            @DefaultValue("none") String apiKey,

            @DefaultValue("You are a helpful assistant. Answer concisely.")
            String systemPrompt,

            @DefaultValue("512") @Min(1) int maxTokens,
            @DefaultValue("5s") Duration connectTimeout,
            @DefaultValue("60s") Duration timeout) {
        @Override
        public String toString() {
            return "Llm[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=***, maxTokens=" + maxTokens
                    + ", connectTimeout=" + connectTimeout + ", timeout=" + timeout + "]";
        }
    }
}
