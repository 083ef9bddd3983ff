package dev.agentic.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import tools.jackson.databind.JsonNode;

/** KEDA's ScaledObject for the workers reads the queue the applications really use, in lag mode. */
class KedaScaledObjectTest {
    private static final List<String> OVERLAYS = Manifests.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void oneLagTriggerPerLaneOnTheWorkersGroup(String overlay) {
        JsonNode scaled = Manifests.render(overlay).get("ScaledObject", "worker");
        List<JsonNode> triggers = StreamSupport.stream(
                        scaled.path("spec").path("triggers").spliterator(), false)
                .toList();
        assertThat(triggers.stream().map(t -> t.path("metadata").path("stream").asString()))
                .containsExactlyInAnyOrderElementsOf(
                        Arrays.stream(Lane.values()).map(RedisKeys::queue).toList());
        for (JsonNode trigger : triggers) {
            JsonNode metadata = trigger.path("metadata");
            String what = "trigger on " + metadata.path("stream").asString();
            assertThat(trigger.path("type").asString())
                    .as(what)
                    .isEqualTo(overlay.equals("redis-cluster") ? "redis-cluster-streams" : "redis-streams");
            assertThat(metadata.path("consumerGroup").asString()).as(what).isEqualTo(RedisKeys.WORKER_GROUP);
            // lag mode: without lagCount KEDA counts XPENDING (pendingEntriesCount), never zero while jobs run
            long lagCount = Long.parseLong(metadata.path("lagCount").asString());
            long activation = Long.parseLong(metadata.path("activationLagCount").asString());
            assertThat(lagCount).as(what + " lagCount").isPositive();
            assertThat(activation).as(what + " activationLagCount").isPositive().isLessThan(lagCount);
            assertThat(metadata.has("pendingEntriesCount") || metadata.has("streamLength"))
                    .as(what + ": another mode's threshold next to lagCount")
                    .isFalse();
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theScalerFindsRedisAndItsPasswordWhereTheWorkersDo(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        JsonNode scaled = manifests.get("ScaledObject", "worker");
        String target = scaled.path("spec").path("scaleTargetRef").path("name").asString();
        JsonNode container = Workloads.container(manifests.get("Deployment", target));
        for (JsonNode trigger : scaled.path("spec").path("triggers")) {
            JsonNode metadata = trigger.path("metadata");
            String addressVar = metadata.has("addressesFromEnv")
                    ? metadata.path("addressesFromEnv").asString()
                    : metadata.path("addressFromEnv").asString();
            assertThat(Workloads.envNames(container))
                    .as("addressFromEnv (addressesFromEnv) names a variable of the target's container")
                    .contains(addressVar);
            JsonNode auth = manifests.get(
                    "TriggerAuthentication",
                    trigger.path("authenticationRef").path("name").asString());
            for (JsonNode ref : auth.path("spec").path("secretTargetRef")) {
                assertThat(ref.path("parameter").asString()).isIn("password", "username");
                assertThat(Workloads.secretKeys(manifests, ref.path("name").asString()))
                        .as("key of Secret " + ref.path("name").asString())
                        .contains(ref.path("key").asString());
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void scaleDownDoesNotFlapAndLetsGenerationsFinish(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        JsonNode spec = manifests.get("ScaledObject", "worker").path("spec");
        assertThat(spec.path("minReplicaCount").asInt())
                .as("minReplicaCount")
                .isEqualTo(
                        overlay.equals("dev") ? 0 : spec.path("minReplicaCount").asInt())
                .isLessThanOrEqualTo(spec.path("maxReplicaCount").asInt());
        if (!overlay.equals("dev")) {
            assertThat(spec.path("minReplicaCount").asInt())
                    .as("prod keeps workers")
                    .isPositive();
        }
        assertThat(spec.path("cooldownPeriod").asInt()).isGreaterThanOrEqualTo(60);
        assertThat(spec.at("/advanced/horizontalPodAutoscalerConfig/behavior/scaleDown/stabilizationWindowSeconds")
                        .asInt())
                .isGreaterThanOrEqualTo(60);

        JsonNode config = manifests.get("ConfigMap", "agentic-config").path("data");
        Duration shutdownGrace =
                Durations.parse(config.path("AGENTIC_WORKER_SHUTDOWNGRACE").asString());
        Duration maxDeadline =
                Durations.parse(config.path("AGENTIC_INGRESS_MAXDEADLINE").asString());
        long terminationGrace = manifests
                .get("Deployment", "worker")
                .at("/spec/template/spec/terminationGracePeriodSeconds")
                .asLong();
        assertThat(shutdownGrace)
                .as("the worker's drain covers the longest generation")
                .isGreaterThanOrEqualTo(maxDeadline);
        assertThat(Duration.ofSeconds(terminationGrace))
                .as("Kubernetes waits for the drain before SIGKILL")
                .isGreaterThanOrEqualTo(shutdownGrace.plusSeconds(10));
    }
}
