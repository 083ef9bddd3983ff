package dev.agentic.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lists the knobs of a {@code @ConfigurationProperties} record tree with their {@code @DefaultValue}
 * defaults, so a test can hold the docs' knob reference to the code.
 */
public final class ConfigReference {
    private ConfigReference() {}

    /**
     * @return property name (kebab-case, under {@code prefix}) to its default as written in
     *     {@code @DefaultValue} (array values joined with commas; {@code ""} when there is none)
     */
    public static Map<String, String> knobs(Class<?> record, String prefix) {
        Map<String, String> knobs = new LinkedHashMap<>();
        collect(record, prefix, knobs);
        return knobs;
    }

    /**
     * The knobs of {@code record} missing from the Markdown table rows of one section of a doc: a row
     * must read {@code | `name` | `default` |} ({@code (none)} for knobs without a default).
     *
     * @param section the heading that starts the section; it runs to the next {@code ## } heading
     */
    public static List<String> undocumented(Class<?> record, String prefix, Path doc, String section) {
        String text;
        try {
            text = Files.readString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = text.indexOf(section);
        if (start < 0) {
            return List.of("no section '" + section + "' in " + doc);
        }
        int end = text.indexOf("\n## ", start + section.length());
        String body = text.substring(start, end < 0 ? text.length() : end);
        return knobs(record, prefix).entrySet().stream()
                .map(knob -> "| `" + knob.getKey() + "` | "
                        + (knob.getValue().isEmpty() ? "(none)" : "`" + knob.getValue() + "`") + " |")
                .filter(row -> !body.contains(row))
                .toList();
    }

    private static void collect(Class<?> record, String prefix, Map<String, String> knobs) {
        RecordComponent[] components = record.getRecordComponents();
        Annotation[][] annotations = canonicalConstructor(record, components).getParameterAnnotations();
        for (int i = 0; i < components.length; i++) {
            String name = prefix + "." + kebab(components[i].getName());
            if (components[i].getType().isRecord()) {
                collect(components[i].getType(), name, knobs);
            } else {
                knobs.put(name, defaultOf(annotations[i]));
            }
        }
    }

    /** {@code @DefaultValue} sits on the canonical constructor's parameters. */
    private static Constructor<?> canonicalConstructor(Class<?> record, RecordComponent[] components) {
        Class<?>[] types =
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            return record.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String defaultOf(Annotation[] parameterAnnotations) {
        for (Annotation annotation : parameterAnnotations) {
            if (annotation.annotationType().getSimpleName().equals("DefaultValue")) {
                try {
                    Method value = annotation.annotationType().getMethod("value");
                    return String.join(",", (String[]) value.invoke(annotation));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return "";
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
