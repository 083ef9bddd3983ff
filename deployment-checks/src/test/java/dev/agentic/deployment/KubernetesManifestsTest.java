package dev.agentic.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import tools.jackson.databind.JsonNode;

/** Every overlay of k8s/ renders, and every object it renders is exactly what its model knows. */
class KubernetesManifestsTest {
    private static final List<String> OVERLAYS = Manifests.OVERLAYS;
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace");

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyRenderedObjectParsesStrictly(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        assertThat(manifests.objects()).hasSizeGreaterThan(10);
        List<String> problems = new ArrayList<>();
        for (JsonNode object : manifests.objects()) {
            List<String> found = object.path("apiVersion").asString().startsWith("keda.sh/")
                    ? KedaModel.problems(object)
                    : StrictModel.problems(object);
            String name = StrictModel.typeKey(object) + " "
                    + object.path("metadata").path("name").asString();
            found.forEach(p -> problems.add(name + ": " + p));
        }
        assertThat(problems)
                .as("fields the models do not know, in overlay " + overlay)
                .isEmpty();
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theGrafanaDashboardShipsAsTheSameJsonComposeProvisions(String overlay) {
        JsonNode dashboard = Manifests.render(overlay).get("ConfigMap", "agentic-grafana-dashboard");
        assertThat(dashboard
                        .path("metadata")
                        .path("labels")
                        .path("grafana_dashboard")
                        .asString())
                .isEqualTo("1");
        assertThat(dashboard.path("data").path("agentic.json").asString())
                .as("k8s/base/dashboards/agentic.json is compose/grafana/dashboards/agentic.json")
                .isEqualTo(Repository.read("compose/grafana/dashboards/agentic.json"));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyNamespacedObjectGetsTheOverlaysNamespace(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        // redis-cluster builds on prod
        String namespace = overlay.equals("dev") ? "agentic-dev" : "agentic";
        for (JsonNode object : manifests.objects()) {
            if (!CLUSTER_SCOPED.contains(object.path("kind").asString())) {
                assertThat(object.path("metadata").path("namespace").asString())
                        .as(StrictModel.typeKey(object) + " "
                                + object.path("metadata").path("name"))
                        .isEqualTo(namespace);
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void selectorsMatchTheirPods(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        for (String kind : List.of("Deployment", "StatefulSet")) {
            for (JsonNode workload : manifests.ofKind(kind)) {
                JsonNode selector = workload.path("spec").path("selector").path("matchLabels");
                JsonNode labels =
                        workload.path("spec").path("template").path("metadata").path("labels");
                selector.properties()
                        .forEach(e -> assertThat(labels.path(e.getKey()))
                                .as(kind + " " + workload.path("metadata").path("name") + " selector " + e.getKey())
                                .isEqualTo(e.getValue()));
            }
        }
        for (JsonNode service : manifests.ofKind("Service")) {
            JsonNode selector = service.path("spec").path("selector");
            boolean matchesSomePod = manifests.objects().stream()
                    .filter(o -> Set.of("Deployment", "StatefulSet")
                            .contains(o.path("kind").asString()))
                    .map(o -> o.path("spec").path("template").path("metadata").path("labels"))
                    .anyMatch(labels -> selector.properties().stream()
                            .allMatch(e -> labels.path(e.getKey()).equals(e.getValue())));
            assertThat(matchesSomePod)
                    .as("Service " + service.path("metadata").path("name") + " selects a pod")
                    .isTrue();
        }
    }

    /** The checks can fail: a misspelt probe field, a string where a number goes, a KEDA "lag". */
    @Test
    void theStrictChecksCatchWhatKubernetesOrKedaWouldIgnore() {
        JsonNode deployment = Manifests.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: w}
                spec:
                  replicas: "2"
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: w
                          image: w:1
                          livenessProbe:
                            httpGett: {path: /live, port: 8080}
                """).getFirst();
        assertThat(StrictModel.problems(deployment))
                .anyMatch(p -> p.contains("/spec/template/spec/containers/0/livenessProbe/httpGett: unknown field"))
                .anyMatch(p -> p.contains("/spec/replicas: \"2\" comes back as 2"));

        JsonNode scaledObject = Manifests.parse("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: w}
                spec:
                  scaleTargetRef: {name: w}
                  minReplicas: 1
                  advanced:
                    horizontalPodAutoscalerConfig:
                      behavior:
                        scaleDown: {stabilisationWindowSeconds: 60}
                  triggers:
                    - type: redis-streams
                      metadata: {address: "r:6379", stream: s, consumerGroup: g, lag: "5"}
                """).getFirst();
        assertThat(KedaModel.problems(scaledObject))
                .contains("minReplicas: unknown field", "triggers[]/metadata/lag: unknown field")
                .anyMatch(p -> p.contains("behavior/scaleDown/stabilisationWindowSeconds: unknown field"));
    }
}
