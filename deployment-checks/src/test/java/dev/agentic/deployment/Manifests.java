package dev.agentic.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The objects {@code kubectl kustomize} renders for an overlay of {@code k8s/}, as JSON trees. */
record Manifests(String overlay, List<JsonNode> objects) {
    static final List<String> OVERLAYS = List.of("dev", "prod", "redis-cluster");
    static final YAMLMapper YAML = new YAMLMapper();

    /** Renders {@code k8s/overlays/<overlay>} with the machine's kubectl (v1.32, kustomize v5.5 here). */
    static Manifests render(String overlay) {
        Path dir = Repository.root().resolve("k8s/overlays").resolve(overlay);
        try {
            Process kustomize = new ProcessBuilder(kubectl(), "kustomize", dir.toString())
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
            byte[] out = kustomize.getInputStream().readAllBytes();
            String err = new String(kustomize.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kustomize.waitFor(60, TimeUnit.SECONDS) || kustomize.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed: " + err);
            }
            return new Manifests(overlay, parse(new String(out, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every document of a multi-document YAML text. */
    static List<JsonNode> parse(String yaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    objects.add(doc);
                }
            }
        }
        return objects;
    }

    /** A single YAML document as a tree. */
    static JsonNode yamlTree(String yaml) {
        return parse(yaml).getFirst();
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asString()))
                .toList();
    }

    Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind).stream()
                .filter(o -> name.equals(o.path("metadata").path("name").asString()))
                .findFirst();
    }

    JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(overlay + ": no " + kind + " " + name));
    }

    @Override
    public String toString() {
        return overlay;
    }

    /**
     * kubectl: preinstalled on the project's machines (no Debian package carries it). Under {@code
     * CI=true} its absence fails the checks; elsewhere they are skipped with that reason.
     */
    private static String kubectl() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            if (Files.isExecutable(Path.of(dir, "kubectl"))) {
                return Path.of(dir, "kubectl").toString();
            }
        }
        String hint = "kubectl (v1.27+, with kustomize) is not installed: see https://kubernetes.io/docs/tasks/tools/";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(hint);
        }
        Assumptions.abort(hint);
        throw new AssertionError("unreachable");
    }
}
