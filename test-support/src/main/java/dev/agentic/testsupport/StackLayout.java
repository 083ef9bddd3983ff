package dev.agentic.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stack layout of {@code config/stack.env}, the file {@code bin/agentic} sources: default ports,
 * instance counts, and the program arguments of each role with their {@code {placeholders}}. The
 * end-to-end stacks start their processes from it, so a flag added there reaches every stack.
 */
public final class StackLayout {
    /** The roles that run as Java services. */
    public enum Role {
        LLM("STACK_LLM_ARGS"),
        WORKER("STACK_WORKER_ARGS"),
        INGRESS("STACK_INGRESS_ARGS");

        private final String key;

        Role(String key) {
            this.key = key;
        }
    }

    private static final Pattern LINE = Pattern.compile("([A-Z][A-Z0-9_]*)=(\"[^\"$\\\\`]*\"|[^\"$\\\\`\\s]*)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    private final Map<String, String> values;

    private StackLayout(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Reads {@code config/stack.env} under the repository root. */
    public static StackLayout load(Path root) {
        Path file = root.resolve("config/stack.env");
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stack layout " + file, e);
        }
    }

    /** Parses the file's text: {@code KEY=VALUE} lines, blank lines and {@code #} comments. */
    public static StackLayout parse(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(trimmed);
            if (!m.matches()) {
                throw new IllegalArgumentException("config/stack.env: not a plain KEY=VALUE line: " + line);
            }
            String value = m.group(2);
            values.put(m.group(1), value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
        }
        return new StackLayout(values);
    }

    /** A value as written, e.g. {@code value("STACK_PORT")}. */
    public String value(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("config/stack.env has no " + key);
        }
        return value;
    }

    public int number(String key) {
        return Integer.parseInt(value(key));
    }

    /** Ingress instances a stack runs by default. */
    public int ingresses() {
        return number("STACK_INGRESSES");
    }

    /** Workers a stack runs by default. */
    public int workers() {
        return number("STACK_WORKERS");
    }

    /**
     * The arguments of {@code role} with its placeholders filled from {@code placeholders}, then
     * {@code extra}: an extra {@code --name=value} replaces the flag of the same name in place, other
     * extras are appended (Spring would join a repeated flag's values with commas).
     *
     * @throws IllegalArgumentException when a placeholder has no value
     */
    public List<String> args(Role role, Map<String, String> placeholders, List<String> extra) {
        List<String> args = new ArrayList<>();
        for (String word : value(role.key).split(" +")) {
            if (!word.isEmpty()) {
                args.add(fill(word, placeholders));
            }
        }
        for (String flag : extra) {
            int at = indexOfFlag(args, flagName(flag));
            if (at >= 0) {
                args.set(at, flag);
            } else {
                args.add(flag);
            }
        }
        return List.copyOf(args);
    }

    private static String fill(String word, Map<String, String> placeholders) {
        Matcher m = PLACEHOLDER.matcher(word);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = placeholders.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("no value for {" + m.group(1) + "} in " + word);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String flagName(String flag) {
        int eq = flag.indexOf('=');
        return eq < 0 ? flag : flag.substring(0, eq);
    }

    private static int indexOfFlag(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            if (flagName(args.get(i)).equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
