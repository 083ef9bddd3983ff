package dev.agentic.worker.config;

import dev.agentic.model.Digests;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisLink;
import dev.agentic.worker.agent.general.ConversationMemory;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Session history in Redis: a list at {@code agentic:session:<tenant>:<sha256 of the session id>}
 * of JSON messages {@code {"role":"user"|"assistant","content":..}}, oldest first. Each completed
 * turn is appended, the list trimmed to the last {@code maxTurns} turns and its TTL renewed, in one
 * script (atomic, and safe on the shared connection). The session id itself never appears in a key.
 */
public final class RedisConversationMemory implements ConversationMemory {
    private static final String APPEND = """
            redis.call('RPUSH', KEYS[1], ARGV[1], ARGV[2])
            redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            return 1
            """;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RedisLink connection;
    private final int maxTurns;
    private final Duration ttl;

    public RedisConversationMemory(RedisLink connection, int maxTurns, Duration ttl) {
        if (maxTurns < 1 || !ttl.isPositive()) {
            throw new IllegalArgumentException("max turns and TTL must be positive");
        }
        this.connection = connection;
        this.maxTurns = maxTurns;
        this.ttl = ttl;
    }

    @Override
    public List<Message> history(String tenant, String sessionId) {
        return connection.sync().lrange(key(tenant, sessionId), 0, -1).stream()
                .map(RedisConversationMemory::decode)
                .filter(Objects::nonNull)
                .toList();
    }

    @Override
    public void remember(String tenant, String sessionId, Message question, Message answer) {
        connection
                .sync()
                .eval(
                        APPEND,
                        ScriptOutputType.INTEGER,
                        new String[] {key(tenant, sessionId)},
                        encode(question),
                        encode(answer),
                        String.valueOf(2L * maxTurns),
                        String.valueOf(ttl.toMillis()));
    }

    static String key(String tenant, String sessionId) {
        return RedisKeys.session(tenant, Digests.sha256Hex(sessionId));
    }

    private static String encode(Message message) {
        return JSON.writeValueAsString(
                Map.of("role", message.role().name().toLowerCase(Locale.ROOT), "content", message.content()));
    }

    /** A message this version cannot read (another writer's format) is skipped, not fatal. */
    private static @org.jspecify.annotations.Nullable Message decode(String json) {
        try {
            Map<?, ?> fields = JSON.readValue(json, Map.class);
            Object role = fields.get("role");
            Object content = fields.get("content");
            if (!(content instanceof String text)) {
                return null;
            }
            if ("user".equals(role)) {
                return Message.user(text);
            }
            return "assistant".equals(role) ? Message.assistant(text) : null;
        } catch (JacksonException e) {
            return null;
        }
    }
}
