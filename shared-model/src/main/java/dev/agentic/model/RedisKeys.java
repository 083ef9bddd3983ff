package dev.agentic.model;

/**
 * Every Redis key and channel name the system uses. All keys of one request carry the request id as
 * a hash tag ({@code {id}}), so they live on one Redis Cluster slot and one Lua script may touch them
 * together.
 */
public final class RedisKeys {
    /** Consumer group of every lane stream. */
    public static final String WORKER_GROUP = "workers";

    /** Hash of admission thresholds operators set at run time, e.g. {@code interactive.max-depth}. */
    public static final String ADMISSION_CONFIG = "agentic:config:admission";

    /** Set of the ids of every API key ever created (revoked ones included), for listing. */
    public static final String API_KEYS = "agentic:apikeys";
    /**
     * Hash of per-tenant limits and budgets operators set at run time: {@code default.<knob>} for
     * every tenant, {@code tenant.<tenant>.<knob>} for one (knobs as in {@code agentic.limits.*}).
     */
    public static final String LIMITS_CONFIG = "agentic:config:limits";

    /** Stream of jobs that exceeded the maximum number of deliveries. */
    public static final String DEAD_LETTERS = "agentic:dlq";

    /**
     * The requests workers ended lately, newest first (a list of JSON summaries: id, tenant, agent,
     * lane, status, error code, time to first token, duration), capped at {@code
     * agentic.trim.recent-requests}; the dashboard's request list.
     */
    public static final String RECENT_REQUESTS = "agentic:recent";

    /** The live workers (a sorted set: worker name, scored by its last heartbeat in epoch millis). */
    public static final String WORKERS = "agentic:workers";

    /**
     * Requests refused before the queue by every ingress instance, since Redis has this key (a hash:
     * problem code to count). Each instance adds what it refused since its last push once per
     * overview interval; the dashboard charts the differences.
     */
    public static final String INGRESS_REFUSALS = "agentic:refusals";

    /** Field of a lane stream entry holding the encoded {@link Job}. */
    public static final String JOB_FIELD = "job";

    /** Field of a lane stream entry holding the job's wire version (readable without decoding). */
    public static final String VERSION_FIELD = "v";

    /** Fields of an event log entry. */
    public static final String EVENT_TYPE_FIELD = "type";

    public static final String EVENT_DATA_FIELD = "data";

    /** Fields of the request hash. */
    public static final String STATUS_FIELD = "status";
    /** The request hash's deadline, epoch millis (written when the request is opened). */
    public static final String DEADLINE_FIELD = "deadline_ms";

    public static final String LAST_EVENT_FIELD = "last_event";
    public static final String ANSWER_FIELD = "answer";
    /** The terminal event's payload: usage of a {@code done}, code and message of an {@code error}. */
    public static final String RESULT_FIELD = "result";

    public static final String TENANT_FIELD = "tenant";
    public static final String AGENT_FIELD = "agent";
    /** How many times a client attached to the request's stream (for the disconnect grace). */
    public static final String ATTACHES_FIELD = "attaches";

    /** Tenant names: lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 64. */
    public static final String TENANT_PATTERN = "[a-z0-9][a-z0-9_-]{0,63}";

    private static final String PREFIX = "agentic:";

    private RedisKeys() {}

    /** The stream a lane's jobs wait in. */
    public static String queue(Lane lane) {
        return PREFIX + "queue:" + lane.wireName();
    }

    /** The request's hash: tenant, agent, status, answer, timestamps. */
    public static String request(String requestId) {
        return PREFIX + "req:{" + checked(requestId) + "}";
    }

    /** The request's durable event log (a stream). */
    public static String events(String requestId) {
        return PREFIX + "events:{" + checked(requestId) + "}";
    }

    /**
     * The pub/sub channel of one ingress instance: every instance subscribes once to its own, and
     * the emit script publishes each batch of a request's events to the channels listed in the
     * request hash's {@link #RELAYS_FIELD}.
     *
     * @param instanceId the instance's random id (letters, digits, '-' and '_', at most 64)
     */
    public static String relayChannel(String instanceId) {
        if (!AsciiForm.isToken(instanceId, 1, 64)) {
            throw new IllegalArgumentException("invalid instance id");
        }
        return PREFIX + "relay:" + instanceId;
    }

    /**
     * The channel every worker subscribes to once: a request ended by the system (a cancel, a dead
     * letter, an overdue end) publishes its id here, and the worker running it stops.
     */
    public static final String CANCEL_CHANNEL = PREFIX + "cancel";

    /**
     * Field of the request hash: the relay channels ({@link #relayChannel}) of the ingress instances
     * with a client attached, space-separated, at most {@link #MAX_RELAYS}, no duplicates.
     */
    public static final String RELAYS_FIELD = "relays";

    /** The most relay channels one request publishes to. */
    public static final int MAX_RELAYS = 8;

    /**
     * The request id an {@code Idempotency-Key} of a tenant stands for.
     *
     * @param keyDigest a digest of the client's key (hex), so no client text ends up in key names
     */
    public static String idempotency(String tenant, String keyDigest) {
        return PREFIX + "idem:" + tenantName(tenant) + ":" + hex(keyDigest);
    }

    /**
     * An API key's hash: tenant, roles, agents, name, created, revoked and the SHA-256 of its secret
     * (never the secret itself).
     *
     * @param keyId the key's public id (16 lowercase hex characters), the part of the key before its secret
     */
    public static String apiKey(String keyId) {
        if (!AsciiForm.isLowerHex(keyId, 16, 16)) {
            throw new IllegalArgumentException("not an API key id");
        }
        return PREFIX + "apikey:" + keyId;
    }

    /** A worker's heartbeat key. */
    public static String worker(String workerName) {
        return PREFIX + "worker:" + workerName;
    }

    /** A conversation's history (a list of JSON messages, oldest first) for the general agent. */
    public static String session(String tenant, String sessionDigest) {
        return PREFIX + "session:" + tenantName(tenant) + ":" + hex(sessionDigest);
    }

    /**
     * A cached answer.
     *
     * @param queryDigest hex digest of the agent, knowledge version and normalized query
     */
    public static String responseCache(String tenant, String queryDigest) {
        return PREFIX + "cache:" + tenantName(tenant) + ":" + hex(queryDigest);
    }

    /** A counter bumped by every ingestion of the tenant, part of the cache key of {@code rag} answers. */
    public static String knowledgeVersion(String tenant) {
        return PREFIX + "kbver:" + tenantName(tenant);
    }

    /**
     * A tenant's request-rate state (a string: the theoretical arrival times, in microseconds of
     * Redis time, of its {@code burst} and {@code minute} windows; TTL until both are back at full
     * quota). The hash tag is the tenant, so one admission script touches it with the tenant's
     * stream leases and usage totals.
     */
    public static String rateLimiter(String tenant) {
        return PREFIX + "rate:{" + tenantName(tenant) + "}";
    }

    /**
     * A tenant's open-stream leases (a sorted set: lease id, scored by its expiry in epoch millis of
     * Redis time; TTL of its newest lease). The ingress holding a stream renews its lease. (Not the
     * {@code agentic:streams:{tenant}} of the former Redisson semaphore: a Redis upgraded in place
     * may still hold that key, of another type.)
     */
    public static String streamPermits(String tenant) {
        return PREFIX + "leases:{" + tenantName(tenant) + "}";
    }

    /**
     * Channel on which the ingress instance that creates or revokes an API key publishes its id, so
     * every instance drops what it cached about that key at once.
     */
    public static final String API_KEYS_CHANNEL = "agentic:apikeys:changed";

    /**
     * A tenant's usage on one UTC day (a hash, fields {@code <agent>:requests}, {@code
     * <agent>:tokens_in}, {@code <agent>:tokens_out}, {@code <agent>:cost_usd}, and {@code
     * total:cost_usd}). All usage keys of a tenant share the hash tag {@code {tenant}}, so one script
     * updates the day, the month and the once-only guard together.
     *
     * @param day {@code yyyy-mm-dd}
     */
    public static String usageDay(String tenant, String day) {
        return PREFIX + "usage:{" + tenantName(tenant) + "}:" + checkedPeriod(day, "9999-99-99");
    }

    /** A tenant's usage in one UTC month (a hash with {@code total:cost_usd}); {@code month} is {@code yyyy-mm}. */
    public static String usageMonth(String tenant, String month) {
        return PREFIX + "usage:{" + tenantName(tenant) + "}:" + checkedPeriod(month, "9999-99");
    }

    /** The ids of the requests already counted in a day's usage (a set with a short TTL: once-only guard). */
    public static String usageCounted(String tenant, String day) {
        return usageDay(tenant, day) + ":counted";
    }

    /** Field of a usage hash holding the day's or month's cost over all agents. */
    public static final String USAGE_TOTAL_COST_FIELD = "total:cost_usd";

    /**
     * The tenant, if it is a valid tenant name: {@value #TENANT_PATTERN}. Every key naming a tenant
     * checks it, so no client text shapes a key name.
     */
    public static String tenantName(String tenant) {
        if (!AsciiForm.isTenantName(tenant)) {
            throw new IllegalArgumentException("invalid tenant name");
        }
        return tenant;
    }

    private static String checkedPeriod(String period, String shape) {
        if (!AsciiForm.hasDigitShape(period, shape)) {
            throw new IllegalArgumentException("invalid period: " + period);
        }
        return period;
    }

    private static String hex(String digest) {
        if (!AsciiForm.isLowerHex(digest, 16, 128)) {
            throw new IllegalArgumentException("not a hex digest");
        }
        return digest;
    }

    private static String checked(String requestId) {
        if (!RequestId.isValid(requestId)) {
            throw new IllegalArgumentException("invalid request id");
        }
        return requestId;
    }
}
