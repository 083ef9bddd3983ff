package dev.agentic.deployment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.databind.JsonNode;

/**
 * compose/docker-compose.yml as Docker Compose reads it: YAML anchors resolved and merge keys
 * ({@code <<: *anchor}) merged. Jackson's YAML parser keeps neither, so the file is loaded with
 * snakeyaml-engine (the parser Jackson's YAML module is built on) and then turned into a tree.
 */
record Compose(JsonNode root) {
    static final String DIR = "compose";
    static final String FILE = DIR + "/docker-compose.yml";

    /** {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME-default}}, {@code ${NAME:?error}}, {@code ${NAME?error}}. */
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    private static final Pattern URL =
            Pattern.compile("\\b[a-z][a-z0-9+]*://(?:[^@/\\s]*@)?([A-Za-z0-9.-]+):(\\d+)(/[^\\s\"']*)?");

    /** One {@code ${...}} in the file: the variable, its operator ({@code :-}, {@code ?}, ...) and its default or message. */
    record Interpolation(String variable, String operator, String argument) {
        boolean required() {
            return operator.endsWith("?");
        }
    }

    /** A URL's host, port and path. */
    record Address(String host, int port, String path) {}

    /** A short-syntax volume: source, target in the container, and whether it is mounted read-only. */
    record Mount(String source, String target, boolean readOnly) {
        boolean isNamedVolume() {
            return !source.startsWith(".") && !source.startsWith("/") && !source.startsWith("~");
        }
    }

    static Compose load() {
        return new Compose(parse(Repository.read(FILE)));
    }

    static JsonNode parse(String yaml) {
        Object loaded = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        return Manifests.YAML.valueToTree(merged(loaded));
    }

    Set<String> services() {
        return new TreeSet<>(root.path("services").propertyNames());
    }

    JsonNode service(String name) {
        JsonNode service = root.path("services").path(name);
        if (service.isMissingNode()) {
            throw new AssertionError(FILE + " has no service " + name);
        }
        return service;
    }

    /** The service's environment as written (before interpolation), in map or list form. */
    Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode node = service(service).path("environment");
        if (node.isArray()) {
            node.forEach(entry -> {
                String[] pair = entry.asString().split("=", 2);
                env.put(pair[0], pair.length > 1 ? pair[1] : "");
            });
        } else {
            node.properties().forEach(e -> env.put(e.getKey(), e.getValue().asString()));
        }
        return env;
    }

    /** The service's command as a list (a string command split at spaces). */
    List<String> command(String service) {
        return strings(service(service).path("command"));
    }

    /** The service's health check command (compose's {@code healthcheck.test}); empty when it has none. */
    List<String> healthcheck(String service) {
        return strings(service(service).path("healthcheck").path("test"));
    }

    List<Mount> mounts(String service) {
        List<Mount> mounts = new ArrayList<>();
        service(service).path("volumes").forEach(v -> {
            String[] parts = v.asString().split(":");
            mounts.add(new Mount(parts[0], parts[1], parts.length > 2 && parts[2].contains("ro")));
        });
        return mounts;
    }

    /** What is mounted on a path of the service's containers. */
    Mount mountAt(String service, String target) {
        return mounts(service).stream()
                .filter(m -> m.target().equals(target))
                .findFirst()
                .orElseThrow(() -> new AssertionError(service + " has nothing mounted on " + target));
    }

    /** A bind mount's file or folder in the repository (relative sources are relative to compose/). */
    static Path source(Mount mount) {
        if (mount.isNamedVolume()) {
            throw new AssertionError(mount.source() + " is a named volume, not a file of the repository");
        }
        return Repository.root().resolve(DIR).resolve(mount.source()).normalize();
    }

    boolean isBuilt(String service) {
        return service(service).has("build");
    }

    /** The Dockerfile a built service is built from (compose's default: Dockerfile in the context). */
    Path dockerfile(String service) {
        JsonNode build = service(service).path("build");
        String context =
                build.isString() ? build.asString() : build.path("context").asString();
        String file = build.path("dockerfile").asString("Dockerfile");
        Path contextDir = Repository.root().resolve(DIR).resolve(context).normalize();
        return contextDir.resolve(file).normalize();
    }

    Optional<String> target(String service) {
        JsonNode target = service(service).path("build").path("target");
        return target.isMissingNode() ? Optional.empty() : Optional.of(target.asString());
    }

    /** A value with every {@code ${VAR:-default}} replaced by its default and {@code $$} by {@code $}. */
    static String withDefaults(String value) {
        Matcher m = INTERPOLATION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            boolean hasDefault = m.group(2) != null && m.group(2).endsWith("-");
            m.appendReplacement(out, Matcher.quoteReplacement(hasDefault ? m.group(3) : "<" + m.group(1) + ">"));
        }
        m.appendTail(out);
        return out.toString().replace("$$", "$");
    }

    static List<Interpolation> interpolations(String text) {
        List<Interpolation> found = new ArrayList<>();
        Matcher m = INTERPOLATION.matcher(text);
        while (m.find()) {
            found.add(new Interpolation(
                    m.group(1), m.group(2) == null ? "" : m.group(2), m.group(3) == null ? "" : m.group(3)));
        }
        return found;
    }

    /** The first URL with an explicit port in a text (a health check command, an environment value). */
    static Optional<Address> address(String text) {
        Matcher m = URL.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new Address(m.group(1), Integer.parseInt(m.group(2)), m.group(3) == null ? "" : m.group(3)));
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(v -> values.add(v.asString()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            values.addAll(List.of(node.asString().trim().split("\\s+")));
        }
        return values;
    }

    /** Resolves merge keys: the merged mappings' entries, then the mapping's own (which win). */
    private static Object merged(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            Object sources = map.get("<<");
            if (sources != null) {
                for (Object source : sources instanceof List<?> list ? list : List.of(sources)) {
                    ((Map<?, ?>) merged(source)).forEach((k, v) -> out.putIfAbsent(String.valueOf(k), v));
                }
            }
            map.forEach((k, v) -> {
                if (!"<<".equals(k)) {
                    out.put(String.valueOf(k), merged(v));
                }
            });
            return out;
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(item -> out.add(merged(item)));
            return out;
        }
        return node;
    }
}
