package dev.agentic.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile's stages and their instructions, as far as the checks read them: continuation lines
 * joined, comments dropped, {@code FROM image AS name} split into stages. No {@code ARG} is
 * substituted: the checks want literal base images.
 */
record Dockerfile(Path path, List<Dockerfile.Stage> stages) {
    private static final Pattern FROM = Pattern.compile("(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+(?i:as)\\s+(\\S+))?\\s*");
    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

    record Instruction(String keyword, String arguments) {}

    record Stage(String image, String name, List<Instruction> instructions) {
        List<String> all(String keyword) {
            return instructions.stream()
                    .filter(i -> i.keyword().equals(keyword))
                    .map(Instruction::arguments)
                    .toList();
        }
    }

    static Dockerfile read(Path path) {
        try {
            return parse(path, Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dockerfile parse(Path path, String text) {
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        for (String line : logicalLines(text)) {
            String[] parts = line.split("\\s+", 2);
            String keyword = parts[0].toUpperCase(Locale.ROOT);
            String arguments = parts.length > 1 ? parts[1].trim() : "";
            if (keyword.equals("FROM")) {
                Matcher m = FROM.matcher(arguments);
                if (!m.matches()) {
                    throw new AssertionError(path + ": cannot read FROM " + arguments);
                }
                current = new ArrayList<>();
                stages.add(new Stage(m.group(1), m.group(2) == null ? "" : m.group(2), current));
            } else if (current != null) {
                current.add(new Instruction(keyword, arguments));
            }
        }
        return new Dockerfile(path, stages);
    }

    boolean isStage(String name) {
        return stages.stream().anyMatch(s -> s.name().equals(name));
    }

    Stage stage(String name) {
        return stages.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(path + " has no stage " + name));
    }

    /** The stage a service builds: its target, or the last stage. */
    Stage target(Optional<String> target) {
        return target.map(this::stage).orElseGet(stages::getLast);
    }

    /** The stage and the stages it is built FROM, the first base first and the stage itself last. */
    List<Stage> lineage(Stage stage) {
        List<Stage> chain = new ArrayList<>();
        for (Stage s = stage; s != null; s = isStage(s.image()) ? stage(s.image()) : null) {
            chain.addFirst(s);
        }
        return chain;
    }

    /** The base images from a registry (FROM lines that name no earlier stage). */
    List<String> externalImages() {
        return stages.stream().map(Stage::image).filter(i -> !isStage(i)).toList();
    }

    /** The arguments of the last instruction of this kind the stage has or inherits. */
    Optional<String> last(Stage stage, String keyword) {
        Optional<String> found = Optional.empty();
        for (Stage s : lineage(stage)) {
            List<String> all = s.all(keyword);
            if (!all.isEmpty()) {
                found = Optional.of(all.getLast());
            }
        }
        return found;
    }

    /** Every instruction of this kind in the stage's lineage. */
    List<String> all(Stage stage, String keyword) {
        return lineage(stage).stream().flatMap(s -> s.all(keyword).stream()).toList();
    }

    /** The environment a stage's containers start with ({@code ENV KEY=value ...} of its lineage). */
    Map<String, String> env(Stage stage) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String arguments : all(stage, "ENV")) {
            Matcher m = ENV_PAIR.matcher(arguments);
            boolean pairs = false;
            while (m.find()) {
                pairs = true;
                String value = m.group(2);
                env.put(m.group(1), value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
            }
            if (!pairs) { // the legacy form: ENV KEY value
                String[] kv = arguments.split("\\s+", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return env;
    }

    /** Lines with their continuations ({@code \} at the end) joined; comments and blank lines dropped. */
    private static List<String> logicalLines(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            lines.add(pending.toString().strip());
            pending.setLength(0);
        }
        if (!pending.isEmpty()) {
            lines.add(pending.toString().strip());
        }
        return lines;
    }
}
