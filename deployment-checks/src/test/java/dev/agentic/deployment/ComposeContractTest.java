package dev.agentic.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.Binaries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * compose/ runs what the applications are. Static: no Docker engine runs on the project's machines,
 * so nothing here starts a container. The compose file and its Dockerfiles are parsed and held to
 * the applications (properties they bind, ports they listen on, paths they serve, meters they
 * register) and to each other (Prometheus, Grafana, the OpenTelemetry collector, Nginx); promtool
 * checks the Prometheus configuration and the dashboard's queries.
 */
class ComposeContractTest {
    /** Compose service → the module whose executable jar it runs (its Dockerfile target has the service's name). */
    private static final Map<String, String> JAVA_SERVICES =
            Map.of("ingress", "ingress-api", "worker", "worker", "llm-simulator", "loadtest");
    /** The Spring Boot applications among them. */
    private static final List<String> SPRING_SERVICES = List.of("ingress", "worker");

    private static final String SIMULATOR = "llm-simulator";
    private static final String AGENT_JAR = "/opt/otel/opentelemetry-javaagent.jar";
    /** Read by the JVM and the OpenTelemetry java agent, not by the applications. */
    private static final Set<String> JVM_AND_AGENT_VARIABLES = Set.of(
            "JAVA_TOOL_OPTIONS",
            "OTEL_SERVICE_NAME",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "OTEL_TRACES_EXPORTER",
            "OTEL_METRICS_EXPORTER",
            "OTEL_LOGS_EXPORTER",
            "OTEL_RESOURCE_ATTRIBUTES");
    /** Qdrant's gRPC port (the adapter's protocol; 6333 is REST), the image's default. */
    private static final int QDRANT_GRPC_PORT = 6334;
    /** Between a worker's shutdown grace and Docker's SIGKILL, as between it and k8s' terminationGracePeriodSeconds. */
    private static final Duration WORKER_STOP_MARGIN = Duration.ofSeconds(30);
    /** Docker's stop_grace_period when a service sets none. */
    private static final Duration DOCKER_STOP_DEFAULT = Duration.ofSeconds(10);

    private static final Pattern PINNED = Pattern.compile("v?\\d+\\.\\d+\\.\\d+.*");
    private static final Pattern METRIC = Pattern.compile("\\bagentic_[a-z_]+");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(KEY|PASSWORD|SECRET|TOKEN|AUTH).*");

    @Test
    void everyEnvironmentVariableIsOneTheApplicationBinds() {
        Compose compose = Compose.load();
        Set<String> documented = ApplicationContractTest.documentedVariables();
        Set<String> simulatorVariables = new TreeSet<>(simulatorOptions().values());
        assertThat(documented).contains("AGENTIC_REDIS_URI", "AGENTIC_LLM_BASEURL"); // the scans work
        assertThat(simulatorVariables).contains("LLMSIM_PORT");

        for (String service : JAVA_SERVICES.keySet()) {
            Set<String> binds = service.equals(SIMULATOR) ? simulatorVariables : documented;
            compose.environment(service)
                    .keySet()
                    .forEach(name -> assertThat(binds.contains(name) || JVM_AND_AGENT_VARIABLES.contains(name))
                            .as(service + ": " + name + " is neither a property the application binds (relaxed form,"
                                    + " docs/configuration.md or loadtest/README.md) nor a JVM/agent variable")
                            .isTrue());
        }
        for (String argument : compose.command(SIMULATOR)) {
            assertThat(simulatorOptions())
                    .as(SIMULATOR + " option " + argument + " (loadtest/README.md)")
                    .containsKey(argument.replaceFirst("=.*", "="));
        }
    }

    @Test
    void portsAgreeAcrossTheStack() {
        Compose compose = Compose.load();
        JsonNode prometheus = prometheusConfig(compose);
        for (String service : JAVA_SERVICES.keySet()) {
            int port = listenPort(compose, service);
            assertThat(healthcheckAddress(compose, service).port())
                    .as(service + " health check port = the port it listens on")
                    .isEqualTo(port);
            Dockerfile dockerfile = Dockerfile.read(compose.dockerfile(service));
            Dockerfile.Stage stage = dockerfile.target(compose.target(service));
            assertThat(dockerfile.all(stage, "EXPOSE"))
                    .as(service + " Dockerfile EXPOSE")
                    .containsExactly(String.valueOf(port));
            assertThat(Compose.address(dockerfile.last(stage, "HEALTHCHECK").orElseThrow())
                            .orElseThrow()
                            .port())
                    .as(service + " Dockerfile HEALTHCHECK port")
                    .isEqualTo(port);
        }
        for (String service : SPRING_SERVICES) {
            assertThat(dnsScrape(prometheus, service).path("port").asInt())
                    .as("Prometheus scrapes " + service + " on its server.port")
                    .isEqualTo(listenPort(compose, service));
        }
        Map<String, String> worker = compose.environment("worker");
        Compose.Address llm = Compose.address(Compose.withDefaults(worker.get("AGENTIC_LLM_BASEURL")))
                .orElseThrow();
        assertThat(llm.host()).as("the workers' default LLM").isEqualTo(SIMULATOR);
        assertThat(llm.port()).as("the simulator's port").isEqualTo(listenPort(compose, SIMULATOR));
        assertThat(compose.command(SIMULATOR))
                .as("the simulator binds every interface (it binds 127.0.0.1 by default)")
                .contains("--host=0.0.0.0");
        for (String service : SPRING_SERVICES) {
            Compose.Address redis = Compose.address(
                            Compose.withDefaults(compose.environment(service).get("AGENTIC_REDIS_URI")))
                    .orElseThrow();
            assertThat(compose.services()).as(service + " Redis host").contains(redis.host());
            assertThat(redis.port()).as(service + " Redis port").isEqualTo(redisPort(compose));
        }
        assertThat(worker).containsEntry("AGENTIC_RETRIEVAL_STORE_TYPE", "qdrant");
        String qdrant = worker.get("AGENTIC_RETRIEVAL_STORE_QDRANT_HOST");
        assertThat(compose.service(qdrant).path("image").asString()).startsWith("qdrant/qdrant:");
        assertThat(worker.get("AGENTIC_RETRIEVAL_STORE_QDRANT_PORT")).isEqualTo(String.valueOf(QDRANT_GRPC_PORT));
    }

    @Test
    void nginxProxiesToTheIngressPortAndListensWhereComposePublishes() {
        Compose compose = Compose.load();
        int published = publishedContainerPort(compose, "nginx");
        assertThat(healthcheckAddress(compose, "nginx").port())
                .as("nginx health check port")
                .isEqualTo(published);

        Path conf = Compose.source(compose.mountAt("nginx", "/etc/nginx/nginx.conf"));
        assertThat(conf).as("rendered from nginx/agentic.conf.template").isRegularFile();
        String nginx = read(conf);
        String upstream = "ingress:" + listenPort(compose, "ingress");
        assertThat(nginx.contains(upstream))
                .as(conf + " proxies to " + upstream + " (the resolver-based upstream)")
                .isTrue();
        assertThat(nginx.contains("resolver 127.0.0.11"))
                .as(conf + " resolves through Docker's DNS (resolver 127.0.0.11)")
                .isTrue();
        Matcher listen =
                Pattern.compile("(?m)^\\s*listen\\s+(?:[^;\\s]*:)?(\\d+)[;\\s]").matcher(nginx);
        assertThat(listen.find()).as("a listen directive").isTrue();
        assertThat(Integer.parseInt(listen.group(1)))
                .as("Nginx listens on the container port compose publishes")
                .isEqualTo(published);
        assertThat(compose.command("nginx"))
                .as("started without -g 'daemon off;', so the file must say it")
                .containsExactly("nginx");
        assertThat(nginx.contains("daemon off;")).as(conf + " says daemon off;").isTrue();
    }

    @Test
    void everyImageIsPinnedToAVersion() {
        Compose compose = Compose.load();
        Map<String, String> images = new LinkedHashMap<>();
        for (String service : compose.services()) {
            JsonNode image = compose.service(service).path("image");
            if (compose.isBuilt(service)) {
                Dockerfile dockerfile = Dockerfile.read(compose.dockerfile(service));
                compose.target(service).ifPresent(dockerfile::stage); // the target exists
                dockerfile
                        .externalImages()
                        .forEach(i -> images.put(i, Repository.root().relativize(dockerfile.path()) + " FROM"));
            } else {
                assertThat(image.isString())
                        .as(service + " has an image or a build")
                        .isTrue();
            }
            if (image.isString()) {
                images.put(image.asString(), "service " + service);
            }
        }
        assertThat(images).hasSizeGreaterThan(10);
        images.forEach((image, where) -> assertThat(isPinned(image))
                .as(where + ": " + image + " is pinned to a concrete version (major.minor.patch, not latest)")
                .isTrue());
    }

    @Test
    void everyServiceHasAHealthCheck() {
        Compose compose = Compose.load();
        for (String service : compose.services()) {
            List<String> test = compose.healthcheck(service);
            boolean composeCheck = !test.isEmpty() && !test.getFirst().equals("NONE");
            boolean imageCheck = compose.isBuilt(service)
                    && imageHealthcheck(compose, service).isPresent();
            assertThat(composeCheck || imageCheck)
                    .as(service + " has a health check (compose healthcheck, or its Dockerfile's HEALTHCHECK)")
                    .isTrue();
            assertThat(compose.service(service)
                            .path("healthcheck")
                            .path("disable")
                            .asBoolean(false))
                    .as(service + " health check disabled")
                    .isFalse();
        }
        Set<String> ingressPaths =
                mappedPaths("ingress-api/src/main/java/dev/agentic/ingress/health/HealthController.java");
        assertThat(healthcheckAddress(compose, "ingress").path()).isIn(ingressPaths);
        assertThat(healthcheckAddress(compose, "nginx").path()).isIn(ingressPaths);
        JsonNode workerConfig = applicationYaml("worker");
        assertThat(workerConfig.at("/management/endpoint/health/probes/enabled").asBoolean())
                .isTrue();
        assertThat(healthcheckAddress(compose, "worker").path())
                .isIn("/actuator/health/readiness", "/actuator/health/liveness");
        assertThat(Repository.read("loadtest/README.md"))
                .contains("| `GET " + healthcheckAddress(compose, SIMULATOR).path() + "` |");
    }

    @Test
    void javaImagesRunAsNonRootWithTheOpenTelemetryAgent() {
        Compose compose = Compose.load();
        for (String service : JAVA_SERVICES.keySet()) {
            assertThat(compose.target(service))
                    .as(service + " Dockerfile target")
                    .contains(service);
            Dockerfile dockerfile = Dockerfile.read(compose.dockerfile(service));
            Dockerfile.Stage stage = dockerfile.target(compose.target(service));
            String user = dockerfile.last(stage, "USER").orElse("root").split(":")[0];
            assertThat(user).as(service + " runs as a numeric uid").matches("\\d+");
            assertThat(Integer.parseInt(user)).as(service + " uid").isPositive();

            String toolOptions = dockerfile.env(stage).getOrDefault("JAVA_TOOL_OPTIONS", "");
            assertThat(toolOptions).as(service + " JAVA_TOOL_OPTIONS").contains("-javaagent:" + AGENT_JAR);
            String composeOptions = compose.environment(service).get("JAVA_TOOL_OPTIONS");
            if (composeOptions != null) {
                assertThat(composeOptions)
                        .as(service + ": compose's JAVA_TOOL_OPTIONS replaces the image's, so it keeps the agent")
                        .contains("-javaagent:" + AGENT_JAR);
            }
            List<String> agentDownloads = dockerfile.all(stage, "ADD").stream()
                    .filter(add -> add.endsWith(" " + AGENT_JAR))
                    .toList();
            assertThat(agentDownloads)
                    .as(service + ": the agent jar is added once")
                    .hasSize(1);
            assertThat(agentDownloads.getFirst())
                    .as(service + ": the agent comes from Maven Central with its SHA-256 checked")
                    .containsPattern("--checksum=sha256:[0-9a-f]{64}\\s")
                    .containsPattern("https://repo1\\.maven\\.org/maven2/io/opentelemetry/javaagent/"
                            + "opentelemetry-javaagent/(\\d+\\.\\d+\\.\\d+)/opentelemetry-javaagent-\\1\\.jar\\s");
            assertThat(dockerfile.last(stage, "ENTRYPOINT").orElse(""))
                    .as(service + " starts a JVM (which reads JAVA_TOOL_OPTIONS)")
                    .startsWith("[\"java\"");
        }
    }

    @Test
    void redisPersistsEveryWriteAndNeverEvicts() {
        Compose compose = Compose.load();
        assertThat(compose.command("redis").getFirst()).isEqualTo("redis-server");
        Map<String, String> settings = redisSettings(compose);
        assertThat(settings).containsEntry("appendonly", "yes").containsEntry("appendfsync", "everysec");
        assertThat(settings).containsEntry("maxmemory-policy", "noeviction");
        assertThat(settings.getOrDefault("maxmemory", "0"))
                .as("maxmemory (0 means none)")
                .matches("[1-9][0-9]*([kmg]b?)?");
        String dir = settings.getOrDefault("dir", "/data");
        Compose.Mount data = compose.mounts("redis").stream()
                .filter(m -> m.target().equals(dir))
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted on Redis' dir " + dir));
        assertThat(data.isNamedVolume()).as("Redis data on a named volume").isTrue();
        assertThat(compose.root().path("volumes").has(data.source())).isTrue();
        assertThat(settings).containsKey("requirepass");
    }

    @Test
    void promtoolAcceptsThePrometheusConfig() throws Exception {
        String out =
                promtool("check", "config", prometheusConfigPath(Compose.load()).toString());
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void prometheusFindsEveryIngressAndWorkerReplicaByDns() {
        Compose compose = Compose.load();
        JsonNode prometheus = prometheusConfig(compose);
        String path = serviceMonitorPath();
        for (String service : SPRING_SERVICES) {
            JsonNode sd = dnsScrape(prometheus, service);
            assertThat(sd.path("type").asString("A"))
                    .as(service + " DNS record type")
                    .isEqualTo("A");
            JsonNode job = scrapeJob(prometheus, service);
            assertThat(job.path("static_configs").isMissingNode())
                    .as(service + " is found by DNS only")
                    .isTrue();
            assertThat(job.path("metrics_path").asString("/metrics"))
                    .as(service + " metrics path = what k8s' ServiceMonitor scrapes")
                    .isEqualTo(path);
            JsonNode config = applicationYaml(JAVA_SERVICES.get(service));
            assertThat(config.at("/management/endpoints/web/exposure/include").asString())
                    .as(service + " exposes the prometheus endpoint")
                    .contains("prometheus");
            assertThat(config.at("/management/endpoints/web/base-path").asString("/actuator") + "/prometheus")
                    .isEqualTo(path);
            assertThat(config.at("/management/server/port").isMissingNode())
                    .as(service + " serves actuator on server.port")
                    .isTrue();
        }
    }

    @Test
    void grafanaDashboardReadsRegisteredMetricsFromTheProvisionedDatasource() {
        Compose compose = Compose.load();
        Path provisioning = Compose.source(compose.mountAt("grafana", "/etc/grafana/provisioning"));
        String uid = provisionedPrometheusUid(provisioning);
        Set<String> series = Meters.prometheusNames();
        assertThat(series)
                .contains("agentic_queue_lag", "agentic_jobs_reclaimed_total", "agentic_job_duration_seconds_sum");
        List<String> unknown = new ArrayList<>();
        List<String> exprs = dashboardExpressions(compose);
        assertThat(exprs).hasSizeGreaterThan(10);
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                if (!series.contains(m.group())) {
                    unknown.add(m.group() + " in " + expr);
                }
            }
        }
        assertThat(unknown).as("series no application exports").isEmpty();

        for (JsonNode panel : panels(compose)) {
            String title = panel.path("title").asString();
            assertThat(panel.at("/datasource/uid").asString())
                    .as(title + ": datasource uid = the provisioned Prometheus'")
                    .isEqualTo(uid);
            panel.path("targets")
                    .forEach(t -> assertThat(t.at("/datasource/uid").asString(uid))
                            .as(title + " query datasource")
                            .isEqualTo(uid));
        }
        assertThat(dashboardsFolder(compose).resolve("agentic.json"))
                .as("the project's dashboard is in the folder Grafana's dashboard provider reads")
                .isRegularFile();
    }

    @Test
    void promtoolAcceptsEveryDashboardQuery(@TempDir Path dir) throws Exception {
        ArrayNode rules = JsonNodeFactory.instance.arrayNode();
        List<String> exprs = dashboardExpressions(Compose.load());
        for (int i = 0; i < exprs.size(); i++) {
            String expr = exprs.get(i)
                    .replace("$__rate_interval", "5m")
                    .replace("$__interval", "1m")
                    .replace("$__range", "1h");
            assertThat(expr)
                    .as("a Grafana variable this check does not replace")
                    .doesNotContain("$");
            ObjectNode rule = rules.addObject();
            rule.put("record", "dashboard:query_" + i);
            rule.put("expr", expr);
        }
        ObjectNode file = JsonNodeFactory.instance.objectNode();
        file.putArray("groups").addObject().put("name", "dashboard").set("rules", rules);
        Path rulesFile = dir.resolve("dashboard-rules.yml");
        Manifests.YAML.writeValue(rulesFile.toFile(), file);
        assertThat(promtool("check", "rules", rulesFile.toString())).contains("SUCCESS");
    }

    @Test
    void tracesGoFromTheAgentsThroughTheCollectorToJaeger() {
        Compose compose = Compose.load();
        String collector = "otel-collector";
        String configPath = compose.command(collector).stream()
                .filter(a -> a.startsWith("--config="))
                .map(a -> a.substring("--config=".length()))
                .findFirst()
                .orElseThrow();
        JsonNode config = Manifests.yamlTree(read(Compose.source(compose.mountAt(collector, configPath))));

        JsonNode otlp = config.at("/receivers/otlp/protocols");
        int httpPort = portOf(otlp.at("/http/endpoint").asString());
        int grpcPort = portOf(otlp.at("/grpc/endpoint").asString());
        JsonNode traces = config.at("/service/pipelines/traces");
        assertThat(strings(traces.path("receivers"))).contains("otlp");
        String jaegerExporter = strings(traces.path("exporters")).stream()
                .filter(e -> config.at("/exporters")
                        .path(e)
                        .path("endpoint")
                        .asString()
                        .startsWith("jaeger:"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no traces exporter sends to jaeger"));
        assertThat(jaegerExporter).as("Jaeger takes OTLP over gRPC").startsWith("otlp_grpc");
        assertThat(portOf(config.at("/exporters")
                        .path(jaegerExporter)
                        .path("endpoint")
                        .asString()))
                .as("Jaeger's OTLP gRPC port")
                .isEqualTo(4317);
        assertThat(compose.service("jaeger").path("image").asString()).startsWith("jaegertracing/all-in-one:");
        assertThat(compose.environment("jaeger")).containsEntry("COLLECTOR_OTLP_ENABLED", "true");
        assertEveryComponentIsDefined(config);
        assertThat(portOf(config.at("/extensions/health_check/endpoint").asString()))
                .as("the collector's health check asks its health_check extension")
                .isEqualTo(healthcheckAddress(compose, collector).port());

        Set<String> serviceNames = new HashSet<>();
        for (String service : JAVA_SERVICES.keySet()) {
            Map<String, String> env = compose.environment(service);
            boolean grpc = env.getOrDefault("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                    .equals("grpc");
            URI endpoint = URI.create(env.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", ""));
            assertThat(endpoint.getHost()).as(service + " OTLP endpoint host").isEqualTo(collector);
            assertThat(endpoint.getPort())
                    .as(service + " OTLP endpoint port (" + (grpc ? "gRPC" : "HTTP") + " receiver)")
                    .isEqualTo(grpc ? grpcPort : httpPort);
            assertThat(env).containsEntry("OTEL_METRICS_EXPORTER", "none").containsEntry("OTEL_LOGS_EXPORTER", "none");
            assertThat(serviceNames.add(env.getOrDefault("OTEL_SERVICE_NAME", "")))
                    .as(service + " has an OTEL_SERVICE_NAME of its own")
                    .isTrue();
        }
    }

    @Test
    void stopGracePeriodsOutlastTheGracefulShutdowns() {
        Compose compose = Compose.load();
        Map<String, String> worker = compose.environment("worker");
        Duration shutdownGrace = Durations.parse(worker.getOrDefault("AGENTIC_WORKER_SHUTDOWNGRACE", "30s"));
        assertThat(stopGracePeriod(compose, "worker"))
                .as("worker stop_grace_period >= agentic.worker.shutdown-grace + " + WORKER_STOP_MARGIN.toSeconds()
                        + " s")
                .isGreaterThanOrEqualTo(shutdownGrace.plus(WORKER_STOP_MARGIN));
        Duration maxDeadline =
                Durations.parse(compose.environment("ingress").getOrDefault("AGENTIC_INGRESS_MAXDEADLINE", "30m"));
        assertThat(maxDeadline)
                .as("agentic.ingress.max-deadline <= the workers' shutdown grace (docs/operations.md)")
                .isLessThanOrEqualTo(shutdownGrace);
        Duration ingressShutdown = Durations.parse(applicationYaml("ingress-api")
                .at("/spring/lifecycle/timeout-per-shutdown-phase")
                .asString());
        assertThat(stopGracePeriod(compose, "ingress"))
                .as("ingress stop_grace_period > Spring's graceful shutdown")
                .isGreaterThan(ingressShutdown);
    }

    @Test
    void secretsComeFromTheEnvFileNeverFromTheComposeFile() {
        Compose compose = Compose.load();
        String bootstrap = compose.environment("ingress").get("AGENTIC_SECURITY_BOOTSTRAPKEY");
        List<Compose.Interpolation> bootstrapFrom = Compose.interpolations(bootstrap);
        assertThat(bootstrapFrom)
                .as("AGENTIC_SECURITY_BOOTSTRAPKEY comes from ${...} (compose/.env), never a literal")
                .hasSize(1);
        assertThat(bootstrapFrom.getFirst().required())
                .as("the admin key is required, with no default")
                .isTrue();
        assertThat(bootstrap)
                .isEqualTo("${" + bootstrapFrom.getFirst().variable() + ":?"
                        + bootstrapFrom.getFirst().argument() + "}");
        for (String service : compose.services()) {
            compose.environment(service).forEach((name, value) -> {
                if (SECRET_NAME.matcher(name).matches() || value.matches(".*://[^/@\\s]*:[^/@\\s]*@.*")) {
                    assertThat(value)
                            .as(service + ": " + name + " comes from the environment")
                            .contains("${");
                }
            });
        }

        String example = Repository.read(Compose.DIR + "/.env.example");
        for (Compose.Interpolation used : Compose.interpolations(Repository.read(Compose.FILE))) {
            Matcher line = Pattern.compile("(?m)^(#\\s*)?" + used.variable() + "=(.*)$")
                    .matcher(example);
            assertThat(line.find())
                    .as(used.variable() + " is described in compose/.env.example")
                    .isTrue();
            if (used.required()) {
                assertThat(line.group(1))
                        .as(used.variable() + " is required: not commented out")
                        .isNull();
                assertThat(line.group(2))
                        .as(used.variable() + " has no value in the example")
                        .isEmpty();
            }
        }
        assertThat(Repository.read(Compose.DIR + "/.gitignore").lines()).contains(".env");
    }

    @Test
    void ingressAndWorkerScaleBehindNginx() {
        Compose compose = Compose.load();
        for (String service : SPRING_SERVICES) {
            JsonNode definition = compose.service(service);
            assertThat(definition.has("ports"))
                    .as(service + " publishes no host port (--scale)")
                    .isFalse();
            assertThat(definition.has("container_name"))
                    .as(service + " has no fixed container name")
                    .isFalse();
            assertThat(definition.at("/depends_on/redis/condition").asString()).isEqualTo("service_healthy");
        }
        assertThat(compose.service("nginx").path("ports")).hasSize(1);
        assertThat(compose.service("nginx").at("/depends_on/ingress/condition").asString())
                .as("Nginx starts once an ingress is healthy")
                .isEqualTo("service_healthy");
    }

    // --- reading the pieces ----------------------------------------------------------------

    /** The port a Java service listens on: server.port of its module, the simulator's --port. */
    private static int listenPort(Compose compose, String service) {
        if (service.equals(SIMULATOR)) {
            return compose.command(service).stream()
                    .filter(a -> a.startsWith("--port="))
                    .map(a -> Integer.parseInt(a.substring("--port=".length())))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(SIMULATOR + " has no --port in its command"));
        }
        String override = compose.environment(service).get("SERVER_PORT");
        int port =
                applicationYaml(JAVA_SERVICES.get(service)).at("/server/port").asInt();
        return override == null ? port : Integer.parseInt(override);
    }

    private static Compose.Address healthcheckAddress(Compose compose, String service) {
        String test = String.join(" ", compose.healthcheck(service));
        return Compose.address(test)
                .orElseThrow(() -> new AssertionError(service + " health check has no URL with a port: " + test));
    }

    private static Optional<String> imageHealthcheck(Compose compose, String service) {
        Dockerfile dockerfile = Dockerfile.read(compose.dockerfile(service));
        return dockerfile
                .last(dockerfile.target(compose.target(service)), "HEALTHCHECK")
                .filter(h -> !h.equalsIgnoreCase("NONE"));
    }

    private static int publishedContainerPort(Compose compose, String service) {
        String mapping = Compose.withDefaults(
                compose.service(service).path("ports").get(0).asString());
        return Integer.parseInt(mapping.substring(mapping.lastIndexOf(':') + 1).replaceFirst("/.*", ""));
    }

    private static Duration stopGracePeriod(Compose compose, String service) {
        JsonNode period = compose.service(service).path("stop_grace_period");
        return period.isMissingNode() ? DOCKER_STOP_DEFAULT : Durations.parse(period.asString());
    }

    /** redis.conf's directives, then the {@code --name value} flags of the command line (which win). */
    private static Map<String, String> redisSettings(Compose compose) {
        List<String> command = compose.command("redis");
        Path conf = Compose.source(compose.mountAt("redis", command.get(1)));
        Map<String, String> settings = new LinkedHashMap<>();
        read(conf)
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .forEach(l -> {
                    String[] kv = l.split("\\s+", 2);
                    settings.put(kv[0].toLowerCase(Locale.ROOT), kv.length > 1 ? kv[1] : "");
                });
        for (int i = 2; i + 1 < command.size(); i += 2) {
            assertThat(command.get(i)).as("redis-server flag").startsWith("--");
            settings.put(command.get(i).substring(2), command.get(i + 1));
        }
        return settings;
    }

    private static int redisPort(Compose compose) {
        return Integer.parseInt(redisSettings(compose).getOrDefault("port", "6379"));
    }

    /** The simulator's options ({@code --port=}) and their environment variables, from its README's table. */
    private static Map<String, String> simulatorOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\| `(--[a-z-]+=)` \\| `(LLMSIM_[A-Z_]+)` \\|")
                .matcher(Repository.read("loadtest/README.md"));
        while (m.find()) {
            options.put(m.group(1), m.group(2));
        }
        return options;
    }

    private static JsonNode applicationYaml(String module) {
        return Manifests.yamlTree(Repository.read(module + "/src/main/resources/application.yml"));
    }

    /** The file mounted where Prometheus' --config.file points. */
    private static Path prometheusConfigPath(Compose compose) {
        String file = compose.command("prometheus").stream()
                .filter(a -> a.startsWith("--config.file="))
                .map(a -> a.substring("--config.file=".length()))
                .findFirst()
                .orElse("/etc/prometheus/prometheus.yml");
        return Compose.source(compose.mountAt("prometheus", file));
    }

    private static JsonNode prometheusConfig(Compose compose) {
        return Manifests.yamlTree(read(prometheusConfigPath(compose)));
    }

    private static JsonNode scrapeJob(JsonNode prometheus, String job) {
        for (JsonNode candidate : prometheus.path("scrape_configs")) {
            if (candidate.path("job_name").asString().equals(job)) {
                return candidate;
            }
        }
        throw new AssertionError("Prometheus has no scrape job " + job);
    }

    /** The job's DNS service discovery that looks up the service's name. */
    private static JsonNode dnsScrape(JsonNode prometheus, String service) {
        for (JsonNode sd : scrapeJob(prometheus, service).path("dns_sd_configs")) {
            if (strings(sd.path("names")).contains(service)) {
                return sd;
            }
        }
        throw new AssertionError("Prometheus job " + service + " does not look up the name " + service + " in DNS");
    }

    /** The path k8s' ServiceMonitor scrapes on both roles. */
    private static String serviceMonitorPath() {
        JsonNode monitor = Manifests.parse(Repository.read("k8s/base/monitoring.yaml")).stream()
                .filter(o -> o.path("kind").asString().equals("ServiceMonitor"))
                .findFirst()
                .orElseThrow();
        return monitor.at("/spec/endpoints/0/path").asString();
    }

    /** The one YAML file of a provisioning folder (datasources, dashboards). */
    private static Path provisioningFile(Path provisioning, String kind) {
        List<Path> yaml = files(provisioning.resolve(kind), ".yml");
        assertThat(yaml).as("grafana provisioning/" + kind).hasSize(1);
        return yaml.getFirst();
    }

    private static String provisionedPrometheusUid(Path provisioning) {
        for (JsonNode source : Manifests.yamlTree(read(provisioningFile(provisioning, "datasources")))
                .path("datasources")) {
            if (source.path("type").asString().equals("prometheus")) {
                assertThat(URI.create(source.path("url").asString()).getHost())
                        .as("Grafana's Prometheus is the prometheus service")
                        .isEqualTo("prometheus");
                return source.path("uid").asString();
            }
        }
        throw new AssertionError("no Prometheus datasource is provisioned");
    }

    /** The folder mounted where Grafana's (one) dashboard provider reads its JSON files. */
    private static Path dashboardsFolder(Compose compose) {
        Path provisioning = Compose.source(compose.mountAt("grafana", "/etc/grafana/provisioning"));
        JsonNode providers = Manifests.yamlTree(read(provisioningFile(provisioning, "dashboards")))
                .path("providers");
        assertThat(providers).hasSize(1);
        return Compose.source(
                compose.mountAt("grafana", providers.get(0).at("/options/path").asString()));
    }

    private static List<JsonNode> panels(Compose compose) {
        List<JsonNode> panels = new ArrayList<>();
        for (Path json : files(dashboardsFolder(compose), ".json")) {
            Manifests.YAML.readTree(read(json)).path("panels").forEach(panels::add);
        }
        return panels;
    }

    private static List<String> dashboardExpressions(Compose compose) {
        List<String> exprs = new ArrayList<>();
        panels(compose)
                .forEach(p ->
                        p.path("targets").forEach(t -> exprs.add(t.path("expr").asString())));
        return exprs;
    }

    private static List<Path> files(Path folder, String suffix) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every receiver, processor, exporter and extension the service section names is configured. */
    private static void assertEveryComponentIsDefined(JsonNode collector) {
        collector.at("/service/pipelines").forEach(pipeline -> {
            for (String kind : List.of("receivers", "processors", "exporters")) {
                strings(pipeline.path(kind))
                        .forEach(name -> assertThat(collector.path(kind).has(name))
                                .as("collector " + kind + " " + name + " is configured")
                                .isTrue());
            }
        });
        strings(collector.at("/service/extensions"))
                .forEach(name -> assertThat(collector.path("extensions").has(name))
                        .as("collector extension " + name)
                        .isTrue());
    }

    private static String promtool(String... arguments) throws IOException, InterruptedException {
        Path promtool = Binaries.require("promtool", "prometheus");
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(arguments));
        Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(out).isZero();
        return out;
    }

    /** An image reference with a tag of major.minor.patch (maybe with a suffix, maybe followed by a digest). */
    static boolean isPinned(String image) {
        String reference = image.split("@", 2)[0];
        String name = reference.substring(reference.lastIndexOf('/') + 1);
        int colon = name.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String tag = name.substring(colon + 1);
        return !tag.equals("latest") && PINNED.matcher(tag).matches();
    }

    /** The paths a controller maps with {@code @GetMapping("...")}. */
    private static Set<String> mappedPaths(String source) {
        Set<String> paths = new TreeSet<>();
        Matcher m = Pattern.compile("@GetMapping\\(\"([^\"]+)\"\\)").matcher(Repository.read(source));
        while (m.find()) {
            paths.add(m.group(1));
        }
        return paths;
    }

    private static int portOf(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
