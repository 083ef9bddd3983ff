package dev.agentic.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import tools.jackson.databind.JsonNode;

/**
 * The Deployments match the applications they run: ports from each module's application.yml,
 * probe paths the applications serve, environment variables the applications bind (documented
 * properties in Spring's relaxed form; docs/configuration.md is itself checked against the code by
 * each module's ConfigurationReferenceTest), and ConfigMap and Secret keys that exist.
 */
class ApplicationContractTest {
    private static final List<String> OVERLAYS = Manifests.OVERLAYS;
    /** Deployment → the module it runs. */
    private static final Map<String, String> MODULES = Map.of("ingress", "ingress-api", "worker", "worker");
    /** Read by the JVM itself, not by the application. */
    private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");

    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Z0-9_]+)\\)");

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void portsAreTheApplicationsOwn(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        MODULES.forEach((deployment, module) -> {
            JsonNode container = Workloads.container(manifests.get("Deployment", deployment));
            int port = Manifests.yamlTree(Repository.read(module + "/src/main/resources/application.yml"))
                    .at("/server/port")
                    .asInt();
            assertThat(container.at("/ports/0/containerPort").asInt())
                    .as(deployment + " container port = server.port of " + module)
                    .isEqualTo(port);
        });
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void probesAskPathsTheApplicationsServe(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        Set<String> ingressPaths =
                mappedPaths("ingress-api/src/main/java/dev/agentic/ingress/health/HealthController.java");
        JsonNode ingress = Workloads.container(manifests.get("Deployment", "ingress"));
        assertThat(ingress.at("/readinessProbe/httpGet/path").asString())
                .isEqualTo("/api/v1/monitoring/ready")
                .isIn(ingressPaths);
        assertThat(ingress.at("/livenessProbe/httpGet/path").asString())
                .isEqualTo("/api/v1/monitoring/live")
                .isIn(ingressPaths);
        assertThat(ingress.at("/startupProbe/httpGet/path").asString()).isIn(ingressPaths);

        // the worker's probes are Spring Boot's health groups, switched on in its application.yml
        JsonNode workerConfig = Manifests.yamlTree(Repository.read("worker/src/main/resources/application.yml"));
        assertThat(workerConfig.at("/management/endpoint/health/probes/enabled").asBoolean())
                .isTrue();
        JsonNode worker = Workloads.container(manifests.get("Deployment", "worker"));
        assertThat(worker.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/readiness");
        assertThat(worker.at("/livenessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/liveness");
        for (JsonNode container : List.of(ingress, worker)) {
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(container.path(probe).at("/httpGet/port").asString())
                        .as(probe + " port")
                        .isEqualTo(container.at("/ports/0/name").asString());
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyEnvironmentVariableIsOneTheApplicationBinds(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        Set<String> documented = documentedVariables();
        Set<String> kedaReads = new HashSet<>();
        manifests
                .ofKind("ScaledObject")
                .forEach(s -> s.path("spec")
                        .path("triggers")
                        .forEach(t -> t.path("metadata").properties().forEach(e -> {
                            if (e.getKey().endsWith("FromEnv")) {
                                kedaReads.add(e.getValue().asString());
                            }
                        })));
        MODULES.keySet().forEach(deployment -> {
            JsonNode container = Workloads.container(manifests.get("Deployment", deployment));
            Set<String> referenced = new HashSet<>(kedaReads);
            container.path("env").forEach(e -> {
                Matcher m = REFERENCE.matcher(e.path("value").asString());
                while (m.find()) {
                    referenced.add(m.group(1));
                }
            });
            for (JsonNode env : container.path("env")) {
                String name = env.path("name").asString();
                assertThat(documented.contains(name) || JVM_VARIABLES.contains(name) || referenced.contains(name))
                        .as(deployment + ": " + name + " is neither a documented property (relaxed form), a JVM"
                                + " variable, nor used by another variable or KEDA")
                        .isTrue();
                JsonNode configKey = env.at("/valueFrom/configMapKeyRef");
                if (!configKey.isMissingNode()) {
                    assertThat(manifests
                                    .get("ConfigMap", configKey.path("name").asString())
                                    .path("data")
                                    .has(configKey.path("key").asString()))
                            .as(deployment + ": " + name + " from ConfigMap key " + configKey.path("key"))
                            .isTrue();
                }
                JsonNode secretKey = env.at("/valueFrom/secretKeyRef");
                if (!secretKey.isMissingNode()) {
                    assertThat(Workloads.secretKeys(
                                    manifests, secretKey.path("name").asString()))
                            .as(deployment + ": " + name + " from a Secret")
                            .contains(secretKey.path("key").asString());
                }
            }
        });
        manifests
                .get("ConfigMap", "agentic-config")
                .path("data")
                .propertyNames()
                .forEach(key -> {
                    if (key.startsWith("AGENTIC_")) {
                        assertThat(documented).as("ConfigMap key " + key).contains(key);
                    }
                });
    }

    /** The documented properties of both applications, as the environment variables that bind them. */
    static Set<String> documentedVariables() {
        Set<String> variables = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `((?:agentic|server|spring|management)\\.[a-z0-9.-]+)`")
                .matcher(Repository.read("docs/configuration.md"));
        while (m.find()) {
            variables.add(relaxed(m.group(1)));
        }
        return variables;
    }

    /** Spring Boot's environment-variable form: dots become underscores, dashes go, upper case. */
    static String relaxed(String property) {
        return property.replace('.', '_').replace("-", "").toUpperCase(Locale.ROOT);
    }

    /** The paths a controller maps with {@code @GetMapping("...")}. */
    private static Set<String> mappedPaths(String source) {
        Set<String> paths = new HashSet<>();
        Matcher m = Pattern.compile("@GetMapping\\(\"([^\"]+)\"\\)").matcher(Repository.read(source));
        while (m.find()) {
            paths.add(m.group(1));
        }
        return paths;
    }
}
