package dev.agentic.deployment;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * KEDA's objects, checked field by field: no Java model of KEDA is maintained, so the fields of
 * {@code ScaledObject} and {@code TriggerAuthentication} (keda.sh/v1alpha1, KEDA 2.16's CRDs) are
 * listed here, the HPA behavior inside is parsed strictly with Fabric8's model, and a trigger's
 * metadata (a free string map in the CRD, which no schema checks) is held to the keys its scaler
 * reads.
 */
final class KedaModel {
    /**
     * The metadata keys KEDA's redis-streams scaler reads (pkg/scalers/redis_streams_scaler.go and
     * redis_scaler.go's address parsing, KEDA 2.12–2.16; the parameter list of
     * keda.sh/docs/2.16/scalers/redis-streams). "lag" is not among them: old examples use it, KEDA
     * ignores it and silently scales on XPENDING's pending count instead of the group's lag.
     */
    static final Set<String> REDIS_STREAMS_METADATA = Set.of(
            "address",
            "addressFromEnv",
            "host",
            "hostFromEnv",
            "port",
            "portFromEnv",
            "username",
            "usernameFromEnv",
            "password",
            "passwordFromEnv",
            "databaseIndex",
            "enableTLS",
            "unsafeSsl",
            "stream",
            "consumerGroup",
            "pendingEntriesCount",
            "streamLength",
            "lagCount",
            "activationLagCount");

    /**
     * The metadata keys of KEDA's redis-cluster-streams scaler: the same parser as redis-streams
     * (pkg/scalers/redis_streams_scaler.go, KEDA 2.12–2.16; keda.sh/docs/2.16/scalers/redis-cluster-streams)
     * with lists of seed nodes in place of one address and no database index.
     */
    static final Set<String> REDIS_CLUSTER_STREAMS_METADATA = java.util.stream.Stream.concat(
                    REDIS_STREAMS_METADATA.stream()
                            .filter(key -> !key.startsWith("address")
                                    && !key.startsWith("host")
                                    && !key.startsWith("port")
                                    && !key.equals("databaseIndex")),
                    java.util.stream.Stream.of(
                            "addresses", "addressesFromEnv", "hosts", "hostsFromEnv", "ports", "portsFromEnv"))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** The keys of a ScaledObject's spec and of its parts (KEDA 2.16's CRD), by path. */
    private static final Map<String, Set<String>> SCALED_OBJECT = Map.of(
            "",
            Set.of(
                    "scaleTargetRef",
                    "pollingInterval",
                    "cooldownPeriod",
                    "initialCooldownPeriod",
                    "idleReplicaCount",
                    "minReplicaCount",
                    "maxReplicaCount",
                    "fallback",
                    "advanced",
                    "triggers"),
            "scaleTargetRef",
            Set.of("name", "apiVersion", "kind", "envSourceContainerName"),
            "fallback",
            Set.of("failureThreshold", "replicas", "behavior"),
            "advanced",
            Set.of("restoreToOriginalReplicaCount", "horizontalPodAutoscalerConfig", "scalingModifiers"),
            "advanced/horizontalPodAutoscalerConfig",
            Set.of("name", "behavior"),
            "triggers[]",
            Set.of("type", "name", "metadata", "authenticationRef", "metricType", "useCachedMetrics"),
            "triggers[]/authenticationRef",
            Set.of("name", "kind"));

    private static final Map<String, Set<String>> TRIGGER_AUTHENTICATION = Map.of(
            "", Set.of("secretTargetRef", "env", "configMapTargetRef"),
            "secretTargetRef[]", Set.of("parameter", "name", "key"),
            "env[]", Set.of("parameter", "name", "containerName"),
            "configMapTargetRef[]", Set.of("parameter", "name", "key"));

    private KedaModel() {}

    static List<String> problems(JsonNode object) {
        String kind = object.path("kind").asString();
        List<String> problems = new ArrayList<>();
        if (!"keda.sh/v1alpha1".equals(object.path("apiVersion").asString())) {
            problems.add("apiVersion " + object.path("apiVersion") + " is not keda.sh/v1alpha1");
        }
        onlyKeys(object, Set.of("apiVersion", "kind", "metadata", "spec"), "", problems);
        switch (kind) {
            case "ScaledObject" -> {
                check(object.path("spec"), "", SCALED_OBJECT, problems);
                JsonNode behavior = object.path("spec")
                        .path("advanced")
                        .path("horizontalPodAutoscalerConfig")
                        .path("behavior");
                if (!behavior.isMissingNode()) {
                    StrictModel.problems(behavior, HorizontalPodAutoscalerBehavior.class).stream()
                            .map(p -> "spec/advanced/horizontalPodAutoscalerConfig/behavior" + p)
                            .forEach(problems::add);
                }
                for (JsonNode trigger : object.path("spec").path("triggers")) {
                    switch (trigger.path("type").asString()) {
                        case "redis-streams" ->
                            onlyKeys(trigger.path("metadata"), REDIS_STREAMS_METADATA, "triggers[]/metadata", problems);
                        case "redis-cluster-streams" ->
                            onlyKeys(
                                    trigger.path("metadata"),
                                    REDIS_CLUSTER_STREAMS_METADATA,
                                    "triggers[]/metadata",
                                    problems);
                        default ->
                            problems.add("trigger type " + trigger.path("type") + " is not checked by this test");
                    }
                    trigger.path("metadata").forEach(value -> {
                        if (!value.isString()) {
                            problems.add("trigger metadata values are strings in KEDA's CRD: " + value);
                        }
                    });
                }
            }
            case "TriggerAuthentication" -> check(object.path("spec"), "", TRIGGER_AUTHENTICATION, problems);
            default -> problems.add("no KEDA model for kind " + kind);
        }
        return problems;
    }

    /** Checks the node's keys against {@code schema} at {@code path}, and its children's that the schema lists. */
    private static void check(JsonNode node, String path, Map<String, Set<String>> schema, List<String> problems) {
        Set<String> allowed = schema.get(path);
        if (allowed == null) {
            return; // a leaf or a part checked elsewhere (behavior, metadata)
        }
        onlyKeys(node, allowed, path, problems);
        Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String child = path.isEmpty() ? field.getKey() : path + "/" + field.getKey();
            if (field.getValue().isArray()) {
                for (JsonNode item : field.getValue()) {
                    check(item, child + "[]", schema, problems);
                }
            } else {
                check(field.getValue(), child, schema, problems);
            }
        }
    }

    private static void onlyKeys(JsonNode node, Set<String> allowed, String path, List<String> problems) {
        node.propertyNames().forEach(name -> {
            if (!allowed.contains(name)) {
                problems.add((path.isEmpty() ? "" : path + "/") + name + ": unknown field");
            }
        });
    }
}
