package dev.agentic.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.Binaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard is valid for the Grafana schema version it declares: {@code
 * deployment-checks/grafana-schema/check.mjs} types it with Grafana's own {@code @grafana/schema}
 * (the 10.4 line, schemaVersion 39; lock file committed, {@code npm ci} when its modules are
 * missing) and TypeScript refuses any unknown, misspelt, mistyped or missing field.
 */
class GrafanaSchemaTest {
    private static final Path CHECK = Repository.root().resolve("deployment-checks/grafana-schema");
    private static final String DASHBOARD = "compose/grafana/dashboards/agentic.json";

    @Test
    void theProvisionedDashboardsSatisfyGrafanasSchema() throws Exception {
        Path compose = Repository.root().resolve(DASHBOARD);
        Path k8s = Repository.root().resolve("k8s/base/dashboards/agentic.json");
        Result result = check(compose, k8s);
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("ok " + compose, "ok " + k8s).doesNotContain("FAILED");
    }

    /** The check can fail: each mutation is one a hand-edited dashboard could carry. */
    @Test
    void aDashboardThatStraysFromTheSchemaIsRefused(@TempDir Path dir) throws Exception {
        String dashboard = Repository.read(DASHBOARD);
        List<String[]> mutations = List.of(
                new String[] {"\"gridPos\"", "\"gridpos\""}, // unknown panel field
                new String[] {"\"displayMode\": \"list\"", "\"displayMode\": \"lists\""}, // not an enum value
                new String[] {"\"calcs\": [],", ""}, // a required field missing
                new String[] {"\"refId\"", "\"refid\""}, // unknown query field
                new String[] {"\"schemaVersion\": 39", "\"schemaVersion\": 41"}); // another version
        List<Path> mutated = new ArrayList<>();
        for (String[] mutation : mutations) {
            assertThat(dashboard).contains(mutation[0]);
            Path file = dir.resolve("mutated-" + mutated.size() + ".json");
            Files.writeString(file, dashboard.replaceFirst(java.util.regex.Pattern.quote(mutation[0]), mutation[1]));
            mutated.add(file);
        }
        Result result = check(mutated.toArray(Path[]::new));
        assertThat(result.exit()).isEqualTo(1);
        for (Path file : mutated) {
            assertThat(result.output()).as("%s is refused", file).doesNotContain("ok " + file);
        }
        assertThat(result.output())
                .contains("'\"gridpos\"' does not exist", "\"lists\"", "'calcs' is missing", "schemaVersion 41");
    }

    private record Result(int exit, String output) {}

    private static Result check(Path... dashboards) throws IOException, InterruptedException {
        Path node = Binaries.require("node", "nodejs");
        if (!Files.isDirectory(CHECK.resolve("node_modules/@grafana/schema"))) {
            Path npm = Binaries.require("npm", "npm");
            Result install = run(List.of(npm.toString(), "ci", "--no-audit", "--no-fund"));
            assertThat(install.exit()).as("npm ci:%n%s", install.output()).isZero();
        }
        List<String> command = new ArrayList<>(List.of(node.toString(), "check.mjs"));
        for (Path dashboard : dashboards) {
            command.add(dashboard.toString());
        }
        return run(command);
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(CHECK.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(command + " ended").isTrue();
        return new Result(process.exitValue(), output);
    }
}
