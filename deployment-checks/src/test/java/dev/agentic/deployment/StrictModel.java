package dev.agentic.deployment;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses a Kubernetes object into Fabric8's model of its kind and reports every field the model
 * does not know. Fabric8 keeps unknown fields in each object's {@code additionalProperties} and
 * writes them back, so a plain round trip would hide them: here the object is written back with
 * the "any getter" switched off, and every difference from the input is an unknown (or mistyped)
 * field.
 */
final class StrictModel {
    /** apiVersion/kind → Fabric8's type. A kind not listed is itself an error. */
    static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class));

    private static final ObjectMapper READER = new JsonMapper();
    /** Writes a model object back without the fields it did not know. */
    private static final ObjectMapper WRITER =
            JsonMapper.builder().annotationIntrospector(new NoAnyGetter()).build();

    private StrictModel() {}

    static String typeKey(JsonNode object) {
        return object.path("apiVersion").asString() + "/" + object.path("kind").asString();
    }

    /** The differences between the object and what the model of its kind makes of it; empty when it is exact. */
    static List<String> problems(JsonNode object) {
        Class<?> type = TYPES.get(typeKey(object));
        if (type == null) {
            return List.of("no strict model for " + typeKey(object));
        }
        return problems(object, type);
    }

    /** As {@link #problems(JsonNode)}, for a part of an object given the model of that part. */
    static List<String> problems(JsonNode node, Class<?> type) {
        Object parsed;
        try {
            parsed = READER.treeToValue(node, type);
        } catch (Exception e) {
            return List.of("does not parse as " + type.getSimpleName() + ": " + e.getMessage());
        }
        JsonNode back = WRITER.valueToTree(parsed);
        List<String> problems = new ArrayList<>();
        compare("", node, back, problems);
        return problems;
    }

    private static void compare(String path, JsonNode input, JsonNode back, List<String> problems) {
        if (input.isObject() && back.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = input.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode other = back.get(field.getKey());
                String at = path + "/" + field.getKey();
                if (other == null) {
                    problems.add(at + ": unknown field");
                } else {
                    compare(at, field.getValue(), other, problems);
                }
            }
        } else if (input.isArray() && back.isArray() && input.size() == back.size()) {
            for (int i = 0; i < input.size(); i++) {
                compare(path + "/" + i, input.get(i), back.get(i), problems);
            }
        } else if (!sameValue(input, back)) {
            problems.add(path + ": " + input + " comes back as " + back);
        }
    }

    /**
     * Equal; or the same number in another width (an int the model keeps as a long); or a number
     * the model writes back as a string of the same digits (a Quantity such as {@code cpu: 1}).
     * Never a string where the API wants a number.
     */
    private static boolean sameValue(JsonNode input, JsonNode back) {
        if (input.equals(back)) {
            return true;
        }
        if (input.isNumber() && back.isNumber()) {
            return input.decimalValue().compareTo(back.decimalValue()) == 0;
        }
        return input.isNumber() && back.isString() && input.asString().equals(back.asString());
    }

    /** Jackson's annotations, except {@code @JsonAnyGetter}: the additional properties stay unwritten. */
    private static final class NoAnyGetter extends JacksonAnnotationIntrospector {
        @Override
        public Boolean hasAnyGetter(MapperConfig<?> config, Annotated a) {
            return Boolean.FALSE;
        }
    }
}
