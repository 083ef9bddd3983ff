package dev.agentic.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.Binaries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The PrometheusRule's alerts pass promtool and ask for metrics the applications export. */
class AlertRulesTest {
    private static final Pattern METRIC = Pattern.compile("\\bagentic_[a-z_]+");

    @Test
    void promtoolAcceptsTheRules(@TempDir Path dir) throws Exception {
        Path promtool = Binaries.require("promtool", "prometheus");
        Path rules = dir.resolve("rules.yml");
        Manifests.YAML.writeValue(rules.toFile(), rulesFile());
        Process check = new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void everyMetricAnAlertReadsIsRegisteredByTheApplications() {
        Set<String> series = Meters.prometheusNames();
        List<String> unknown = new ArrayList<>();
        for (JsonNode group : rulesFile().path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                Matcher m = METRIC.matcher(rule.path("expr").asString());
                while (m.find()) {
                    if (!series.contains(m.group())) {
                        unknown.add(rule.path("alert").asString() + ": " + m.group());
                    }
                }
            }
        }
        assertThat(series).contains("agentic_queue_lag"); // the scan works
        assertThat(unknown).as("metrics no application registers").isEmpty();
    }

    /** The rule groups of the base's PrometheusRule, as a Prometheus rules file. */
    private static ObjectNode rulesFile() {
        JsonNode rule = Manifests.parse(Repository.read("k8s/base/monitoring.yaml")).stream()
                .filter(o -> o.path("kind").asString().equals("PrometheusRule"))
                .findFirst()
                .orElseThrow();
        ObjectNode file = JsonNodeFactory.instance.objectNode();
        file.set("groups", rule.path("spec").path("groups"));
        return file;
    }
}
