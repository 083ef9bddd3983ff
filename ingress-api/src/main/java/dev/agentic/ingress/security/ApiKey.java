package dev.agentic.ingress.security;

import dev.agentic.model.AsciiForm;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A stored API key, as read from its Redis hash: everything but the secret (of which only the
 * SHA-256 is kept).
 */
record ApiKey(
        String id,
        String tenant,
        Set<Role> roles,
        Set<String> agents,
        String name,
        long createdMs,
        @Nullable Long revokedMs,
        String secretHash) {
    /** Keys are {@code agk_<id>_<secret>}: the id is public (it names the Redis hash), the secret is not. */
    static final String PREFIX = "agk_";
    /** Lowercase hex characters in a key's id. */
    static final int ID_LENGTH = 16;

    ApiKey {
        roles = Set.copyOf(roles);
        agents = Set.copyOf(agents);
    }

    boolean revoked() {
        return revokedMs != null;
    }

    Caller caller() {
        return new Caller(tenant, id, roles, agents);
    }

    /** What listing shows: never the secret or its hash. */
    Map<String, Object> describe() {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("id", id);
        described.put("tenant", tenant);
        Set<String> roleNames = new TreeSet<>();
        roles.forEach(role -> roleNames.add(role.wireName()));
        described.put("roles", roleNames);
        described.put("agents", new TreeSet<>(agents));
        described.put("name", name);
        described.put("created_ms", createdMs);
        described.put("revoked", revoked());
        if (revokedMs != null) {
            described.put("revoked_ms", revokedMs);
        }
        return described;
    }

    /** A presented key split into id and secret; null if it does not have the key format. */
    record Presented(String id, String secret) {
        static @Nullable Presented parse(String key) {
            if (!AsciiForm.isApiKey(key)) {
                return null;
            }
            int idEnd = PREFIX.length() + ID_LENGTH;
            return new Presented(key.substring(PREFIX.length(), idEnd), key.substring(idEnd + 1));
        }

        @Override
        public String toString() {
            return "Presented[id=" + id + "]";
        }
    }
}
