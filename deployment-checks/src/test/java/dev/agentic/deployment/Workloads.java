package dev.agentic.deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/** Reading the parts of rendered workloads the checks compare. */
final class Workloads {
    private Workloads() {}

    /** The workload's only container (each of ours has one). */
    static JsonNode container(JsonNode workload) {
        JsonNode containers = workload.at("/spec/template/spec/containers");
        if (containers.size() != 1) {
            throw new AssertionError(
                    workload.path("metadata").path("name") + " has " + containers.size() + " containers");
        }
        return containers.get(0);
    }

    static List<String> envNames(JsonNode container) {
        List<String> names = new ArrayList<>();
        container.path("env").forEach(e -> names.add(e.path("name").asString()));
        return names;
    }

    /**
     * The keys of a Secret: rendered by the overlay (dev), or else the template every other
     * environment creates it from (k8s/secret-template.yaml).
     */
    static Set<String> secretKeys(Manifests manifests, String name) {
        JsonNode secret = manifests.find("Secret", name).orElseGet(() -> {
            JsonNode template =
                    Manifests.parse(Repository.read("k8s/secret-template.yaml")).getFirst();
            if (!name.equals(template.path("metadata").path("name").asString())) {
                throw new AssertionError("no Secret " + name + " in " + manifests + " nor in the template");
            }
            return template;
        });
        Set<String> keys = new TreeSet<>();
        secret.path("data").propertyNames().forEach(keys::add);
        secret.path("stringData").propertyNames().forEach(keys::add);
        return keys;
    }
}
