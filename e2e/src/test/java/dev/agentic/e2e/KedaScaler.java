package dev.agentic.e2e;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * KEDA's decision for the workers' ScaledObject, computed the way KEDA and the HPA it drives compute
 * it, from the ScaledObject in k8s/ and a real Redis:
 *
 * <ul>
 *   <li>the {@code redis-streams} scaler in lag mode reads {@code XINFO GROUPS <stream>} and takes
 *       the group's {@code lag}; when the group is missing it falls back to {@code XLEN}; a missing
 *       stream is an error (pkg/scalers/redis_streams_scaler.go, KEDA 2.12+). A NULL lag reaches it
 *       through go-redis as 0 (v9.0–9.5) or -1 (v9.6+): either way no backlog;
 *   <li>a trigger is active when its value exceeds {@code activationLagCount};
 *   <li>the HPA asks for {@code ceil(value / lagCount)} replicas per trigger (an external metric with
 *       an AverageValue target: the value divided by the target, whatever the current replicas) and
 *       takes the largest, within {@code [minReplicaCount, maxReplicaCount]}; with no trigger active
 *       KEDA scales to {@code minReplicaCount}, zero included.
 * </ul>
 */
record KedaScaler(int minReplicas, int maxReplicas, List<Trigger> triggers) {
    record Trigger(String stream, String group, long lagCount, long activationLagCount) {}

    /** What KEDA reads for one trigger, and what it makes of it. */
    record Reading(Trigger trigger, long value, boolean active, int desired) {}

    static KedaScaler fromScaledObject(Path file) {
        JsonNode spec = null;
        try (MappingIterator<JsonNode> docs =
                new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if ("ScaledObject".equals(doc.path("kind").asString())) {
                    spec = doc.path("spec");
                }
            }
        }
        if (spec == null) {
            throw new IllegalArgumentException("no ScaledObject in " + file);
        }
        List<Trigger> triggers = new ArrayList<>();
        for (JsonNode trigger : spec.path("triggers")) {
            JsonNode metadata = trigger.path("metadata");
            triggers.add(new Trigger(
                    metadata.path("stream").asString(),
                    metadata.path("consumerGroup").asString(),
                    Long.parseLong(metadata.path("lagCount").asString()),
                    Long.parseLong(metadata.path("activationLagCount").asString())));
        }
        return new KedaScaler(
                spec.path("minReplicaCount").asInt(),
                spec.path("maxReplicaCount").asInt(),
                List.copyOf(triggers));
    }

    List<Reading> read(RedisCommands<String, String> redis) {
        List<Reading> readings = new ArrayList<>();
        for (Trigger trigger : triggers) {
            long value = lag(redis, trigger);
            boolean active = value > trigger.activationLagCount();
            int desired = (int) Math.ceilDiv(Math.max(0, value), trigger.lagCount());
            readings.add(new Reading(trigger, value, active, desired));
        }
        return readings;
    }

    /** The replica count KEDA and its HPA settle on for these readings. */
    int replicas(List<Reading> readings) {
        if (readings.stream().noneMatch(Reading::active)) {
            return minReplicas;
        }
        int desired = readings.stream().mapToInt(Reading::desired).max().orElse(0);
        return Math.clamp(desired, Math.max(1, minReplicas), maxReplicas);
    }

    /** The group's lag as the scaler gets it: NULL as -1 (go-redis 9.6+), no group: XLEN. */
    static long lag(RedisCommands<String, String> redis, Trigger trigger) {
        List<Object> groups;
        try {
            groups = redis.xinfoGroups(trigger.stream());
        } catch (RedisCommandExecutionException e) {
            throw new IllegalStateException("KEDA's scaler fails here too: " + e.getMessage(), e);
        }
        for (Object group : groups) {
            List<?> fields = (List<?>) group;
            int name = fields.indexOf("name");
            if (name >= 0 && trigger.group().equals(String.valueOf(fields.get(name + 1)))) {
                Object lag = fields.get(fields.indexOf("lag") + 1);
                return lag == null ? -1 : Long.parseLong(String.valueOf(lag));
            }
        }
        return redis.xlen(trigger.stream());
    }
}
