package dev.agentic.ingress.security;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.AsciiForm;
import dev.agentic.model.Digests;
import dev.agentic.model.LogText;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisConnector;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Service;

/**
 * API keys in Redis ({@code agentic:apikey:<id>}, indexed by {@code agentic:apikeys}). A presented
 * key names its own hash ({@code agk_<id>_<secret>}), so looking it up is one HGETALL; the secret is
 * compared by its SHA-256 in constant time. A looked-up key is cached, so a known key costs no Redis
 * call per request: the instance that creates or revokes a key publishes its id on {@code
 * agentic:apikeys:changed} (as {@code <instance> <id>}), every other instance drops that id from its cache when the message arrives (a
 * few milliseconds), and clears its whole cache whenever its subscription reconnects (messages may
 * have been missed). {@code agentic.security.key-cache-ttl} (at most 60 s) bounds an entry's age
 * whatever happens to the messages.
 *
 * <p>Ids that name no key are cached too, for the same time, in a separate bounded set: presenting
 * one again costs no Redis lookup, and a flood of random ids (guessable input) only ever evicts other
 * unknown ids, never a known key.
 */
@Service
class ApiKeys implements ApplicationRunner, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final int MAX_CACHED = 10_000;
    /** Unknown ids remembered at most; beyond, the oldest half is forgotten. */
    static final int MAX_UNKNOWN = 10_000;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CREATE_IF_ABSENT = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HGET', KEYS[1], 'hash') or '' end
            redis.call('HSET', KEYS[1], 'tenant', ARGV[1], 'roles', ARGV[2], 'agents', ARGV[3], 'name', ARGV[4],
                'created_ms', ARGV[5], 'hash', ARGV[6])
            redis.call('SADD', KEYS[2], ARGV[7])
            return false""";

    private final RedisLink redis;
    private final IngressProperties.Security config;
    private final Clock clock;
    private final @Nullable Bootstrap bootstrap;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final UnknownIds unknown = new UnknownIds(MAX_UNKNOWN);
    /** Bumped by every invalidation: a lookup that raced one does not cache what it read. */
    private final AtomicLong invalidations = new AtomicLong();

    private final StatefulRedisPubSubConnection<String, String> changes;

    private record Cached(ApiKey key, long expiresAtNanos) {}

    private record Bootstrap(ApiKey.Presented key, String tenant) {}

    /** Names this instance in its announcements, so it does not apply its own twice. */
    private final String origin = UUID.randomUUID().toString();

    ApiKeys(RedisLink redis, RedisConnector redisConnector, IngressProperties properties, Clock clock) {
        this.redis = redis;
        this.config = properties.security();
        this.clock = clock;
        this.bootstrap = bootstrapOf(config);
        this.changes = redisConnector.connectPubSub();
        changes.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                int space = message.indexOf(' ');
                if (space < 0) {
                    forget(message);
                } else if (!message.substring(0, space).equals(origin)) {
                    forget(message.substring(space + 1)); // its own announcements it has applied already
                }
            }
        });
        redisConnector.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection == changes) {
                    forgetAll(); // messages sent while the subscription was down are lost
                }
            }
        });
        RedisSettings.subscribeWaiting(changes, RedisKeys.API_KEYS_CHANNEL);
    }

    /** Drops what this instance knows about one key (another instance created or revoked it). */
    void forget(String keyId) {
        invalidations.incrementAndGet();
        cache.remove(keyId);
        unknown.forget(keyId);
    }

    private void forgetAll() {
        invalidations.incrementAndGet();
        cache.clear();
        unknown.clear();
    }

    /** Tells every instance that a key changed (this one forgets it at once); a lost message is bounded by the cache TTL. */
    private void announce(String keyId) {
        forget(keyId);
        try {
            commands().publish(RedisKeys.API_KEYS_CHANNEL, origin + " " + keyId);
        } catch (RedisException e) {
            log.warn(
                    "ApiKeys(id={}) change not announced ({}); other instances notice within {}",
                    keyId,
                    LogText.safe(String.valueOf(e.getMessage())),
                    config.keyCacheTtl());
        }
    }

    @Override
    public void close() {
        changes.close();
    }

    private static @Nullable Bootstrap bootstrapOf(IngressProperties.Security config) {
        String key = config.bootstrapKey();
        if (key == null || key.isBlank()) {
            return null;
        }
        ApiKey.Presented presented = ApiKey.Presented.parse(key.strip());
        if (presented == null) {
            throw new IllegalArgumentException(
                    "agentic.security.bootstrap-key must look like agk_<16 hex characters>_<secret of 16-128 of A-Z a-z 0-9 _ ->");
        }
        return new Bootstrap(presented, config.bootstrapTenant());
    }

    /** Writes the bootstrap key at startup; if Redis is not there yet, the first use of the key does. */
    @Override
    public void run(ApplicationArguments args) {
        try {
            ensureBootstrapKey();
        } catch (RedisException e) {
            log.warn(
                    "ApiKeys bootstrap key not written yet (Redis: {}); its first use will",
                    LogText.safe(String.valueOf(e.getMessage())));
        }
    }

    private void ensureBootstrapKey() {
        if (bootstrap == null) {
            return;
        }
        String existingHash = store(
                bootstrap.key().id(),
                bootstrap.tenant(),
                Set.of(Role.ADMIN),
                Set.of(Caller.ANY_AGENT),
                "bootstrap",
                Digests.sha256Hex(bootstrap.key().secret()));
        if (existingHash == null) {
            log.info(
                    "ApiKeys(id={}, tenant={}) bootstrap admin key stored",
                    bootstrap.key().id(),
                    bootstrap.tenant());
        } else if (!existingHash.equals(Digests.sha256Hex(bootstrap.key().secret()))) {
            log.error(
                    "ApiKeys(id={}) a different key with the bootstrap key's id exists; the bootstrap key will not authenticate",
                    bootstrap.key().id());
        }
    }

    /** The caller a bearer token stands for; empty for a malformed, unknown, wrong or revoked key. */
    Optional<Caller> authenticate(String token) {
        ApiKey.Presented presented = ApiKey.Presented.parse(token);
        if (presented == null) {
            return Optional.empty();
        }
        ApiKey key = lookup(presented.id());
        if (key == null && bootstrap != null && bootstrap.key().id().equals(presented.id())) {
            ensureBootstrapKey();
            cache.remove(presented.id());
            unknown.forget(presented.id());
            key = lookup(presented.id());
        }
        if (key == null || key.revoked() || !hashMatches(key, presented.secret())) {
            return Optional.empty();
        }
        return Optional.of(key.caller());
    }

    private static boolean hashMatches(ApiKey key, String secret) {
        return MessageDigest.isEqual(
                key.secretHash().getBytes(StandardCharsets.US_ASCII),
                Digests.sha256Hex(secret).getBytes(StandardCharsets.US_ASCII));
    }

    private @Nullable ApiKey lookup(String id) {
        long now = System.nanoTime();
        Cached cached = cache.get(id);
        if (cached != null && cached.expiresAtNanos() - now > 0) {
            return cached.key();
        }
        if (unknown.contains(id, now)) {
            return null;
        }
        long seen = invalidations.get();
        ApiKey key = read(id);
        if (seen != invalidations.get()) {
            return key; // an invalidation arrived while reading: use what was read, cache nothing
        }
        long expiresAt = now + config.keyCacheTtl().toNanos();
        if (key == null) {
            unknown.add(id, expiresAt);
            cache.remove(id);
            return null;
        }
        if (cache.size() >= MAX_CACHED) {
            cache.clear(); // only stored keys get here: a flood of unknown ids cannot fill it
        }
        cache.put(id, new Cached(key, expiresAt));
        return key;
    }

    /** A new key; the returned string is the only time its secret exists outside the caller's hands. */
    Created create(String tenant, Set<Role> roles, Set<String> agents, String name) {
        byte[] idBytes = new byte[8];
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secretBytes);
        String id = HexFormat.of().formatHex(idBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        if (store(id, tenant, roles, agents, name, Digests.sha256Hex(secret)) != null) {
            return create(tenant, roles, agents, name); // a 64-bit id collided: draw again
        }
        announce(id);
        ApiKey stored = read(id);
        log.info("ApiKeys(id={}, tenant={}, roles={}) created", id, LogText.safe(tenant), roles);
        return new Created(ApiKey.PREFIX + id + "_" + secret, Objects.requireNonNull(stored));
    }

    record Created(String key, ApiKey stored) {
        @Override
        public String toString() {
            return "Created[id=" + stored.id() + "]";
        }
    }

    /** @return the hash already stored under the id, or null when this call stored the key */
    private @Nullable String store(
            String id, String tenant, Set<Role> roles, Set<String> agents, String name, String secretHash) {
        String existing = commands()
                .eval(
                        CREATE_IF_ABSENT,
                        ScriptOutputType.VALUE,
                        new String[] {RedisKeys.apiKey(id), RedisKeys.API_KEYS},
                        tenant,
                        roles.stream().map(Role::wireName).sorted().collect(Collectors.joining(",")),
                        agents.stream().sorted().collect(Collectors.joining(",")),
                        name,
                        String.valueOf(clock.millis()),
                        secretHash,
                        id);
        return existing;
    }

    /** Every key (revoked ones too), oldest first; only those of {@code tenant} when given. */
    List<ApiKey> list(@Nullable String tenant) {
        List<ApiKey> keys = new ArrayList<>();
        for (String id : commands().smembers(RedisKeys.API_KEYS)) {
            ApiKey key = AsciiForm.isLowerHex(id, ApiKey.ID_LENGTH, ApiKey.ID_LENGTH) ? read(id) : null;
            if (key != null && (tenant == null || tenant.equals(key.tenant()))) {
                keys.add(key);
            }
        }
        keys.sort((a, b) -> Long.compare(a.createdMs(), b.createdMs()));
        return keys;
    }

    /** Revokes a key for good; empty if there is no such key. Idempotent. */
    Optional<ApiKey> revoke(String id) {
        if (!AsciiForm.isLowerHex(id, ApiKey.ID_LENGTH, ApiKey.ID_LENGTH) || read(id) == null) {
            return Optional.empty();
        }
        commands().hsetnx(RedisKeys.apiKey(id), "revoked_ms", String.valueOf(clock.millis()));
        announce(id);
        ApiKey revoked = read(id);
        log.info("ApiKeys(id={}) revoked", id);
        return Optional.ofNullable(revoked);
    }

    private @Nullable ApiKey read(String id) {
        Map<String, String> hash = commands().hgetall(RedisKeys.apiKey(id));
        if (hash.isEmpty() || !hash.containsKey("hash") || !hash.containsKey("tenant")) {
            return null;
        }
        try {
            return new ApiKey(
                    id,
                    hash.get("tenant"),
                    split(hash.getOrDefault("roles", "")).stream()
                            .map(Role::fromWire)
                            .collect(Collectors.toSet()),
                    split(hash.getOrDefault("agents", "")),
                    hash.getOrDefault("name", ""),
                    Long.parseLong(hash.getOrDefault("created_ms", "0")),
                    hash.containsKey("revoked_ms") ? Long.parseLong(hash.get("revoked_ms")) : null,
                    hash.get("hash"));
        } catch (IllegalArgumentException e) {
            log.warn("ApiKeys(id={}) unreadable record ignored: {}", id, LogText.safe(String.valueOf(e.getMessage())));
            return null;
        }
    }

    private static Set<String> split(String list) {
        return Arrays.stream(list.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private RedisClusterCommands<String, String> commands() {
        return redis.sync();
    }
}
