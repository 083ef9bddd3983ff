package dev.agentic.ingress.config;

import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every knob of an ingress instance (prefix {@code agentic}). docs/configuration.md lists them; a
 * test checks that the list and this record agree.
 */
@Validated
@ConfigurationProperties("agentic")
public record IngressProperties(
        @Valid @DefaultValue Redis redis,
        @Valid @DefaultValue Ingress ingress,
        @Valid @DefaultValue Admission admission,
        @Valid @DefaultValue Security security,
        @Valid @DefaultValue Limits limits,
        @Valid @DefaultValue Dashboard dashboard) {

    /**
     * The browser dashboard ({@code /dashboard}) and its live overview.
     *
     * @param overviewInterval how often the overview stream sends a sample; one sample is read from
     *     Redis per interval and instance, however many dashboards watch
     * @param maxOverviewStreams overview streams one instance holds at once; more get 429
     */
    public record Dashboard(
            @DefaultValue("1s") Duration overviewInterval,
            @DefaultValue("16") @Min(1) int maxOverviewStreams) {
        public Dashboard {
            // At most a minute: a sample is the stream's only traffic, and Nginx cuts a silent one after 120 s.
            if (overviewInterval.compareTo(Duration.ofMillis(100)) < 0
                    || overviewInterval.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("agentic.dashboard.overview-interval must be between 100ms and 1m");
            }
        }
    }

    /**
     * API keys (see docs/security.md). Keys live in Redis, hashed; this only configures the first one.
     *
     * @param bootstrapKey an admin key ({@code agk_<16 hex id>_<secret>}) written to Redis at startup if
     *     its id is not there yet, so the first real keys can be created; never logged
     * @param bootstrapTenant the tenant of the bootstrap key
     * @param keyCacheTtl the longest an instance trusts a key it looked up (at most 60 s); a revoked key
     *     stops working on every instance when the revoking instance's message arrives (milliseconds),
     *     and within this long even if that message is lost
     */
    public record Security(
            @Nullable String bootstrapKey,

            @DefaultValue("public") @Pattern(regexp = TENANT_PATTERN)
            String bootstrapTenant,

            @DefaultValue("30s") Duration keyCacheTtl) {
        /** Tenant names end up in Redis key names: lowercase letters, digits, '-' and '_', at most 64. */
        public static final String TENANT_PATTERN = RedisKeys.TENANT_PATTERN;

        public Security {
            if (keyCacheTtl.isNegative() || keyCacheTtl.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("agentic.security.key-cache-ttl must be between 0 and 60s");
            }
        }

        @Override
        public String toString() {
            return "Security[bootstrapKey=" + (bootstrapKey == null ? "unset" : "***") + ", bootstrapTenant="
                    + bootstrapTenant + ", keyCacheTtl=" + keyCacheTtl + "]";
        }
    }

    /**
     * Per-tenant limits, shared by every ingress instance through Redis. Each can be changed at run
     * time, for all tenants or for one, through {@code PUT /api/v1/admin/limits}; these are the
     * values in force until then. {@code 0} switches a limit off.
     *
     * @param ratePerSecond new queries per second a tenant may send on average (0: no limit)
     * @param burst queries a tenant may send at once before {@code rate-per-second} applies
     * @param ratePerMinute new queries per minute a tenant may send (0: no limit)
     * @param maxStreams open streams (SSE, waiting JSON calls, resumes) a tenant may hold at once (0: no limit)
     * @param streamLease how long a stream permit lives without its instance renewing it; a crashed
     *     instance's permits come back after this long
     * @param dailyBudgetUsd cost a tenant may reach per UTC day before new queries are refused (0: no budget)
     * @param monthlyBudgetUsd cost a tenant may reach per UTC month before new queries are refused (0: no budget)
     * @param refreshInterval how often each instance reads the operators' live limits from Redis
     * @param permitGaugeTenants how many tenants, those holding the most stream permits on this
     *     instance, get a row of the {@code agentic.ingress.tenant.stream.permits} gauge (0: none); a
     *     bound on the metric's cardinality
     */
    public record Limits(
            @DefaultValue("100") @Min(0) long ratePerSecond,
            @DefaultValue("200") @Min(1) long burst,
            @DefaultValue("0") @Min(0) long ratePerMinute,
            @DefaultValue("1000") @Min(0) int maxStreams,
            @DefaultValue("30s") Duration streamLease,
            @DefaultValue("0") @PositiveOrZero double dailyBudgetUsd,
            @DefaultValue("0") @PositiveOrZero double monthlyBudgetUsd,
            @DefaultValue("1s") Duration refreshInterval,
            @DefaultValue("10") @Min(0) @Max(1000) int permitGaugeTenants) {
        public Limits {
            if (streamLease.compareTo(Duration.ofSeconds(3)) < 0) {
                throw new IllegalArgumentException("agentic.limits.stream-lease must be at least 3s");
            }
            if (!refreshInterval.isPositive()) {
                throw new IllegalArgumentException("agentic.limits.refresh-interval must be positive");
            }
        }
    }

    /**
     * Queue-depth admission. Thresholds can be changed at run time through {@code PUT
     * /api/v1/admin/admission}; these are the values in force until then.
     *
     * @param interactiveMaxDepth jobs waiting in the interactive lane (group lag) at which new ones get 429
     * @param batchMaxDepth the same for the batch lane
     * @param sampleInterval how often each instance samples lag, drain rate and live thresholds
     */
    public record Admission(
            @DefaultValue("1000") @Min(1) long interactiveMaxDepth,
            @DefaultValue("10000") @Min(1) long batchMaxDepth,
            @DefaultValue("1s") Duration sampleInterval) {}

    /**
     * @param uri Redis URI; {@code rediss://} for TLS, {@code redis://user:password@host:port} for ACL users
     * @param commandTimeout how long one Redis command may take; a dead Redis becomes a 503 after it
     * @param connectTimeout how long a (re)connect attempt may take
     * @param commandLatency export every Redis command's latency ({@code lettuce_command_*})
     */
    public record Redis(
            @DefaultValue("redis://127.0.0.1:6379") String uri,
            @DefaultValue("1s") Duration commandTimeout,
            @DefaultValue("1s") Duration connectTimeout,
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
     * @param agents agent types clients may ask for; others get 400 (must match what workers run)
     * @param defaultAgent agent used when a request names none
     * @param maxBodySize largest request body accepted; larger ones get 413
     * @param maxQueryLength longest query text in characters; longer ones get 400
     * @param heartbeat interval of SSE comment lines on idle streams; keep under every proxy's read timeout
     * @param defaultDeadline how long a request may wait and run before it is dropped or answered 504
     * @param eventRetention how long a request's status and event log are kept after its last event
     * @param statusRetention how long a request's status outlives its terminal event (410 Gone after the log expired)
     * @param maxDeadline the longest {@code timeout_ms} a client may ask for
     * @param disconnectGrace how long a request whose SSE client went away waits for a resume before it is cancelled
     * @param idempotencyTtl how long an {@code Idempotency-Key} keeps returning the request it created
     * @param maxDocumentSize largest document {@code POST /api/v1/documents} accepts; larger ones get 413
     * @param ingestDeadline how long an ingestion job may wait and run
     * @param responseCache answer identical queries from the answers workers stored (clients opt out
     *     per request); off, every query goes to a worker
     * @param terminalGrace how long past a request's deadline the ingress waits for a worker's
     *     terminal event before it ends the request itself ({@code deadline_exceeded}); every stream
     *     and JSON wait ends by deadline plus this
     */
    public record Ingress(
            @DefaultValue({"math", "general", "rag"}) @NotEmpty
            Set<String> agents,

            @DefaultValue("general") String defaultAgent,
            @DefaultValue("64KB") DataSize maxBodySize,
            @DefaultValue("8000") @Min(1) int maxQueryLength,
            @DefaultValue("15s") Duration heartbeat,
            @DefaultValue("5m") Duration defaultDeadline,
            @DefaultValue("1h") Duration eventRetention,
            @DefaultValue("24h") Duration statusRetention,
            @DefaultValue("30m") Duration maxDeadline,
            @DefaultValue("30s") Duration disconnectGrace,
            @DefaultValue("24h") Duration idempotencyTtl,
            @DefaultValue("true") boolean responseCache,
            @DefaultValue("1MB") DataSize maxDocumentSize,
            @DefaultValue("10m") Duration ingestDeadline,
            @DefaultValue("10s") Duration terminalGrace) {
        public Ingress {
            if (terminalGrace.isNegative()) {
                throw new IllegalArgumentException("agentic.ingress.terminal-grace must not be negative");
            }
        }

        @Override
        public String toString() {
            return "Ingress[agents=" + agents + ", defaultAgent=" + defaultAgent + ", maxBodySize=" + maxBodySize
                    + ", heartbeat=" + heartbeat + "]";
        }
    }
}
