package dev.agentic.worker.config;

import dev.agentic.model.Lane;
import dev.agentic.redis.RedisSettings;
import dev.agentic.worker.maintenance.QueueTrimming;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every knob of a worker (prefix {@code agentic}). docs/configuration.md lists them; a test checks
 * that the list and this record agree.
 *
 * @param redis how to reach Redis
 * @param worker the consumer loop
 * @param llm the OpenAI-compatible endpoint of the {@code general} agent (and of {@code rag} in
 *     {@code llm} answer mode)
 * @param retrieval the knowledge base of the {@code ingest} and {@code rag} agents
 * @param sessions the conversation history the {@code general} agent keeps per session id
 * @param cache the response cache the workers fill
 * @param usage usage ledger and price table
 * @param trim how the lane streams and the dead-letter stream are trimmed
 */
@Validated
@ConfigurationProperties("agentic")
public record WorkerProperties(
        @Valid @DefaultValue Redis redis,
        @Valid @DefaultValue Worker worker,
        @Valid @DefaultValue Llm llm,
        @Valid @DefaultValue Retrieval retrieval,
        @Valid @DefaultValue Sessions sessions,
        @Valid @DefaultValue Cache cache,
        @Valid @DefaultValue Usage usage,
        @Valid @DefaultValue Trim trim) {

    /**
     * @param interval how often each worker trims the lanes' acknowledged history and the dead
     *     letters; 0 switches trimming off
     * @param deadLetterMaxLength the most dead letters kept in {@code agentic:dlq} (oldest go first)
     * @param deadLetterMaxAge dead letters older than this are removed
     * @param deadLetterMaxJobSize the most bytes of a job's payload a dead letter keeps (the rest is cut)
     * @param recentRequests the most ended requests {@code agentic:recent} keeps for the dashboard
     *     (newest first); 0 records none
     */
    public record Trim(
            @DefaultValue("10s") Duration interval,
            @DefaultValue("10000") @Min(0) long deadLetterMaxLength,
            @DefaultValue("7d") Duration deadLetterMaxAge,
            @DefaultValue("64KB") DataSize deadLetterMaxJobSize,
            @DefaultValue("200") @Min(0) @Max(10000) int recentRequests) {
        public Trim {
            if (interval.isNegative() || deadLetterMaxAge.isNegative()) {
                throw new IllegalArgumentException(
                        "agentic.trim.interval and .dead-letter-max-age must not be negative");
            }
            if (deadLetterMaxJobSize.toBytes() < 256) {
                throw new IllegalArgumentException("agentic.trim.dead-letter-max-job-size must be at least 256B");
            }
        }

        /** The byte limit to pass to {@code QueueTrimmer.boundedPayload} when writing a dead letter. */
        public int deadLetterJobBytes() {
            return (int) Math.min(Integer.MAX_VALUE, deadLetterMaxJobSize.toBytes());
        }

        /** What the trimming component runs with. */
        public QueueTrimming.Settings settings() {
            return new QueueTrimming.Settings(interval, deadLetterMaxLength, deadLetterMaxAge);
        }
    }

    /**
     * @param retention how long a tenant's usage of a day (and of a month) is kept after the day (the month) ends
     * @param prices USD per one million input and output tokens, by agent name ({@code
     *     agentic.usage.prices.general.input=0.15}); used when the agent reports no cost
     */
    public record Usage(
            @DefaultValue("400d") Duration retention,
            @Nullable Map<String, Price> prices) {}

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
     * @param commandLatency export every Redis command's latency ({@code lettuce_command_*})
     */
    public record Redis(
            @DefaultValue("redis://127.0.0.1:6379") String uri,
            @DefaultValue("2s") Duration commandTimeout,
            @DefaultValue("2s") Duration connectTimeout,
            @DefaultValue("false") boolean commandLatency) {
        public RedisSettings settings() {
            return new RedisSettings(uri, commandTimeout, connectTimeout, commandLatency);
        }

        @Override
        public String toString() {
            return settings().toString();
        }
    }

    /**
     * @param name consumer name in the group; must be unique per instance (default: host name and pid)
     * @param concurrency jobs one worker runs at once (its slots); an agent that waits on an LLM holds
     *     one slot and one virtual thread, so this can be the hundreds an LLM server batches
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
     * @param stuckGrace how long an agent stopped at its deadline (or by a cancel) may take to return
     *     before the worker ends its request itself and counts the agent as stuck
     * @param stuckLivenessAfter liveness reports DOWN while an agent has been stuck longer than this
     * @param maxEventBytes the most bytes of one event's data; longer tool input/output, metadata and
     *     error text is cut with a marker, longer tokens are split
     * @param maxAnswerChars the most characters of one answer; an agent reaching it is stopped and the
     *     request ends with {@code done}, finish reason {@code length}
     * @param cpuConcurrency platform threads for agents that compute ({@code math}, {@code ingest}); 0
     *     means one per available processor
     * @param tokenCoalesceWindow how long an attempt's events may wait to be written together: tokens
     *     arriving within it are merged into one {@code token} event (text concatenated) and written
     *     with the events around them in one Redis script call; the first token of an attempt and
     *     the terminal event are written at once; zero writes every event on its own
     */
    public record Worker(
            @Nullable String name,
            @DefaultValue("256") @Min(1) @Max(4096) int concurrency,

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
            @DefaultValue("5") @Min(1) int otherLaneEvery,
            @DefaultValue("5s") Duration stuckGrace,
            @DefaultValue("30s") Duration stuckLivenessAfter,
            @DefaultValue("64KB") DataSize maxEventBytes,
            @DefaultValue("1000000") @Min(1000) int maxAnswerChars,
            @DefaultValue("0") @Min(0) @Max(1024) int cpuConcurrency,
            @DefaultValue("5ms") Duration tokenCoalesceWindow) {

        /** Bounded-cost knobs at their defaults (for tests that set only the consumer's). */
        public Worker(
                @Nullable String name,
                int concurrency,
                List<Lane> lanes,
                Duration pollTimeout,
                Duration shutdownGrace,
                Duration eventRetention,
                boolean diagnosticAgent,
                Duration reclaimTimeout,
                int maxDeliveries,
                Duration redisRetry,
                Duration statusRetention,
                int otherLaneEvery) {
            this(
                    name,
                    concurrency,
                    lanes,
                    pollTimeout,
                    shutdownGrace,
                    eventRetention,
                    diagnosticAgent,
                    reclaimTimeout,
                    maxDeliveries,
                    redisRetry,
                    statusRetention,
                    otherLaneEvery,
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(30),
                    DataSize.ofKilobytes(64),
                    1_000_000,
                    0,
                    DEFAULT_TOKEN_COALESCE_WINDOW);
        }

        /** The default of {@code agentic.worker.token-coalesce-window}. */
        public static final Duration DEFAULT_TOKEN_COALESCE_WINDOW = Duration.ofMillis(5);

        /** Returns these settings with other bounded-cost knobs (for tests). */
        public Worker withBounds(
                Duration stuckGrace, Duration stuckLivenessAfter, DataSize maxEventBytes, int maxAnswerChars) {
            return copy(stuckGrace, stuckLivenessAfter, maxEventBytes, maxAnswerChars, cpuConcurrency);
        }

        /** Returns these settings with another {@code cpu-concurrency} (for tests). */
        public Worker withCpuConcurrency(int threads) {
            return copy(stuckGrace, stuckLivenessAfter, maxEventBytes, maxAnswerChars, threads);
        }

        private Worker copy(
                Duration stuckGrace,
                Duration stuckLivenessAfter,
                DataSize maxEventBytes,
                int maxAnswerChars,
                int cpuConcurrency) {
            return new Worker(
                    name,
                    concurrency,
                    lanes,
                    pollTimeout,
                    shutdownGrace,
                    eventRetention,
                    diagnosticAgent,
                    reclaimTimeout,
                    maxDeliveries,
                    redisRetry,
                    statusRetention,
                    otherLaneEvery,
                    stuckGrace,
                    stuckLivenessAfter,
                    maxEventBytes,
                    maxAnswerChars,
                    cpuConcurrency,
                    tokenCoalesceWindow);
        }

        @ConstructorBinding
        public Worker {
            if (!pollTimeout.isPositive()) {
                throw new IllegalArgumentException(
                        "agentic.worker.poll-timeout must be positive (a zero timeout would spin)");
            }
            if (reclaimTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("agentic.worker.reclaim-timeout must be at least 1s");
            }
            if (maxEventBytes.toBytes() < 2048 || maxEventBytes.toBytes() > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("agentic.worker.max-event-bytes must be between 2KB and 16MB");
            }
            if (tokenCoalesceWindow.isNegative() || tokenCoalesceWindow.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("agentic.worker.token-coalesce-window must be between 0 and 1s");
            }
            if (stuckGrace.isNegative() || stuckLivenessAfter.isNegative()) {
                throw new IllegalArgumentException(
                        "agentic.worker.stuck-grace and stuck-liveness-after must not be negative");
            }
        }

        /** Platform threads for computing agents: {@code cpu-concurrency}, or one per processor when 0. */
        public int cpuThreads() {
            return cpuConcurrency > 0 ? cpuConcurrency : Runtime.getRuntime().availableProcessors();
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

    /**
     * @param embedder how text becomes vectors
     * @param store where vectors are kept and searched
     * @param chunking how documents are split before embedding
     * @param rag how the {@code rag} agent retrieves and answers
     */
    public record Retrieval(
            @Valid @DefaultValue Embedder embedder,
            @Valid @DefaultValue Store store,
            @Valid @DefaultValue Chunking chunking,
            @Valid @DefaultValue Rag rag) {}

    /** Which embedder turns text into vectors. */
    public enum EmbedderType {
        /** all-MiniLM-L6-v2 in-process (384 dimensions), shipped inside the worker's jar. */
        MINILM,
        /** An OpenAI-compatible {@code /embeddings} endpoint. */
        OPENAI
    }

    /**
     * @param type {@code minilm} (in-process, the default) or {@code openai}
     * @param baseUrl API root of the {@code openai} embedder, e.g. {@code https://api.openai.com/v1}
     * @param model model name of the {@code openai} embedder, e.g. {@code text-embedding-3-small}
     * @param apiKey bearer key of the {@code openai} embedder; never logged
     * @param dimension vector length of the {@code openai} embedder's model
     * @param timeout how long one embeddings request of the {@code openai} embedder may take
     */
    public record Embedder(
            @DefaultValue("minilm") EmbedderType type,
            @Nullable String baseUrl,
            @Nullable String model,
            @Nullable String apiKey,
            @Nullable @Min(1) Integer dimension,
            @DefaultValue("30s") Duration timeout) {
        public Embedder {
            if (type == EmbedderType.OPENAI && (isBlank(baseUrl) || isBlank(model) || dimension == null)) {
                throw new IllegalArgumentException("agentic.retrieval.embedder.type=openai needs"
                        + " agentic.retrieval.embedder.base-url, .model and .dimension");
            }
            if (!timeout.isPositive()) {
                throw new IllegalArgumentException("agentic.retrieval.embedder.timeout must be positive");
            }
        }

        @Override
        public String toString() {
            return "Embedder[type=" + type + ", baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                    + (apiKey == null ? "none" : "***") + ", dimension=" + dimension + ", timeout=" + timeout + "]";
        }
    }

    /** Which vector store holds the chunks. */
    public enum StoreType {
        /** Lucene HNSW in a local directory that every worker of the host shares. */
        LUCENE,
        /** A Qdrant server over gRPC. */
        QDRANT
    }

    /**
     * @param type {@code lucene} (embedded, the default) or {@code qdrant}
     * @param indexDir the Lucene index directory, on a local disk; every worker of a host should use
     *     the same one (relative paths are resolved against the worker's working directory)
     * @param refreshInterval how stale a Lucene search may be with respect to other processes' writes
     * @param qdrant how to reach Qdrant when {@code type} is {@code qdrant}
     */
    public record Store(
            @DefaultValue("lucene") StoreType type,
            @DefaultValue("data/index") String indexDir,
            @DefaultValue("0s") Duration refreshInterval,
            @Valid @DefaultValue Qdrant qdrant) {}

    /**
     * @param host Qdrant's host name
     * @param port Qdrant's gRPC port
     * @param apiKey sent as the {@code api-key} header; never logged
     * @param tls connect with TLS
     * @param timeout deadline of each gRPC call
     * @param collection the collection holding every tenant's chunks
     */
    public record Qdrant(
            @DefaultValue("127.0.0.1") String host,
            @DefaultValue("6334") @Min(1) @Max(65535) int port,
            @Nullable String apiKey,
            @DefaultValue("false") boolean tls,
            @DefaultValue("5s") Duration timeout,
            @DefaultValue("agentic_chunks") String collection) {
        @Override
        public String toString() {
            return "Qdrant[host=" + host + ", port=" + port + ", apiKey=" + (apiKey == null ? "none" : "***") + ", tls="
                    + tls + ", timeout=" + timeout + ", collection=" + collection + "]";
        }
    }

    /**
     * @param size the most characters in one chunk
     * @param overlap the most characters a chunk repeats of the previous one in its section
     */
    public record Chunking(
            @DefaultValue("800") @Min(1) int size,
            @DefaultValue("100") @Min(0) int overlap) {
        public Chunking {
            if (overlap >= size) {
                throw new IllegalArgumentException("agentic.retrieval.chunking.overlap must be smaller than the size");
            }
        }
    }

    /** How the {@code rag} agent turns retrieved passages into an answer. */
    public enum AnswerMode {
        /** Quote the best passages with their sources; no LLM. */
        EXTRACTIVE,
        /** Let the LLM ({@code agentic.llm.*}) answer from the passages only, citing them. */
        LLM
    }

    /**
     * @param topK passages retrieved per question
     * @param minScore passages with a lower cosine similarity to the question are dropped
     * @param answer {@code extractive} (the default) or {@code llm}
     */
    public record Rag(
            @DefaultValue("5") @Min(1) @Max(50) int topK,
            @DefaultValue("0.25") double minScore,
            @DefaultValue("extractive") AnswerMode answer) {}

    /**
     * @param maxTurns the most question-answer pairs kept per session; older ones are dropped
     * @param ttl how long a session's history lives after its last answer
     */
    public record Sessions(
            @DefaultValue("20") @Min(1) @Max(1000) int maxTurns,
            @DefaultValue("24h") Duration ttl) {
        public Sessions {
            if (!ttl.isPositive()) {
                throw new IllegalArgumentException("agentic.sessions.ttl must be positive");
            }
        }
    }

    private static boolean isBlank(@Nullable String value) {
        return value == null || value.isBlank();
    }

    /**
     * @param agents agents whose answers are stored for the ingress to serve again (requests with a
     *     {@code session_id} never are)
     * @param ttl how long a stored answer is served; 0 stores nothing
     */
    public record Cache(
            @DefaultValue({"math", "rag"}) Set<String> agents,
            @DefaultValue("10m") Duration ttl) {}
}
