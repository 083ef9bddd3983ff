package dev.agentic.worker.consumer;

import dev.agentic.model.Lane;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The entries this worker is running, by entry id, with their lanes and leases. */
final class Inflight {
    private record Running(Lane lane, Lease lease) {}

    private final Map<String, Running> running = new ConcurrentHashMap<>();

    /** Registers the delivery; false when this worker runs the entry already. */
    boolean add(Delivery delivery, Lease lease) {
        return running.putIfAbsent(delivery.entryId(), new Running(delivery.lane(), lease)) == null;
    }

    void remove(String entryId) {
        running.remove(entryId);
    }

    boolean contains(String entryId) {
        return running.containsKey(entryId);
    }

    int size() {
        return running.size();
    }

    @Nullable
    Lease lease(String entryId) {
        Running found = running.get(entryId);
        return found == null ? null : found.lease();
    }

    Map<Lane, List<String>> idsByLane() {
        return running.entrySet().stream()
                .collect(Collectors.groupingBy(
                        entry -> entry.getValue().lane(), Collectors.mapping(Map.Entry::getKey, Collectors.toList())));
    }
}
