package dev.agentic.ingress.security;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Key ids that name no key, each remembered until its expiry, at most {@code capacity} of them: when
 * full, the oldest entries go first. Guarded by its own lock; the work under it is a map operation.
 */
final class UnknownIds {
    private final int capacity;
    private final LinkedHashMap<String, Long> expiries = new LinkedHashMap<>();

    UnknownIds(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    /** Whether {@code id} is known to name no key at {@code nowNanos}. */
    synchronized boolean contains(String id, long nowNanos) {
        Long expiry = expiries.get(id);
        if (expiry == null) {
            return false;
        }
        if (expiry - nowNanos > 0) {
            return true;
        }
        expiries.remove(id);
        return false;
    }

    synchronized void add(String id, long expiresAtNanos) {
        expiries.remove(id); // re-inserted as the newest
        expiries.put(id, expiresAtNanos);
        Iterator<Map.Entry<String, Long>> oldest = expiries.entrySet().iterator();
        while (expiries.size() > capacity && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    synchronized void forget(String id) {
        expiries.remove(id);
    }

    synchronized void clear() {
        expiries.clear();
    }
}
