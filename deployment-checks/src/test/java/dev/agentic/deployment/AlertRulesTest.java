package dev.agentic.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.Binaries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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

    @Test
    void promtoolsUnitTestsFireEachAlertOnItsSeriesAndNotJustShortOfThem(@TempDir Path dir) throws Exception {
        Path promtool = Binaries.require("promtool", "prometheus");
        ObjectNode rules = rulesFile().deepCopy();
        // The tests check expressions, durations and labels; promtool check rules checks the annotations.
        rules.path("groups")
                .forEach(group -> group.path("rules").forEach(rule -> ((ObjectNode) rule).remove("annotations")));
        Manifests.YAML.writeValue(dir.resolve("rules.yml").toFile(), rules);
        String tests = Repository.read("deployment-checks/src/test/resources/alerts-test.yml");
        Files.writeString(dir.resolve("alerts-test.yml"), tests);
        Process test = new ProcessBuilder(promtool.toString(), "test", "rules", "alerts-test.yml")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(test.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(test.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(test.exitValue()).as(out).isZero();

        // Every alert is tested firing.
        Set<String> fired = new TreeSet<>();
        for (JsonNode unit : Manifests.YAML.readTree(tests).path("tests")) {
            for (JsonNode check : unit.path("alert_rule_test")) {
                if (!check.path("exp_alerts").isEmpty()) {
                    fired.add(check.path("alertname").asString());
                }
            }
        }
        Set<String> alerts = new TreeSet<>();
        rules.path("groups")
                .forEach(group -> group.path("rules")
                        .forEach(rule -> alerts.add(rule.path("alert").asString())));
        assertThat(fired).as("alerts with a test that fires them").isEqualTo(alerts);
    }

    @Test
    void composeLoadsTheSameAlerts() throws Exception {
        Path file = Repository.root().resolve("compose/prometheus/alerts.yml");
        String rendered = "# The groups of k8s/base/monitoring.yaml's PrometheusRule, written by AlertRulesTest\n"
                + "# (-Dalerts.write-compose=true): edit them there, not here.\n"
                + Manifests.YAML.writeValueAsString(rulesFile());
        if (Boolean.getBoolean("alerts.write-compose")) {
            Files.writeString(file, rendered);
        }
        assertThat(file).as("regenerate it with -Dalerts.write-compose=true").hasContent(rendered);
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
