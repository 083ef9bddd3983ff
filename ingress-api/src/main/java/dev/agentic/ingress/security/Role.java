package dev.agentic.ingress.security;

import java.util.Locale;

/**
 * What a key may do. {@link #ADMIN} includes every other role; the others are disjoint, so a key
 * that both queries and ingests carries {@code user} and {@code ingest}.
 */
public enum Role {
    /** Everything, including creating, listing and revoking keys. A platform role: not limited to a tenant. */
    ADMIN,
    /** Queue stats, live admission thresholds, dead letters. A platform role: not limited to a tenant. */
    OPERATOR,
    /** Adds documents to its tenant's knowledge ({@code POST /api/v1/documents}). */
    INGEST,
    /** Sends queries and reads, resumes and cancels its tenant's requests. */
    USER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown role name */
    public static Role fromWire(String name) {
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role");
    }
}
