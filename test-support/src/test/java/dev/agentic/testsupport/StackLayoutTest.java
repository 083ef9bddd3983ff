package dev.agentic.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.testsupport.StackLayout.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StackLayoutTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> KEYS = List.of(
            "STACK_PORT",
            "STACK_REDIS_PORT",
            "STACK_LLM_PORT",
            "STACK_INGRESS_BASE_PORT",
            "STACK_WORKER_BASE_PORT",
            "STACK_INGRESSES",
            "STACK_WORKERS",
            "STACK_JAVA_OPTS",
            "STACK_LLM_ARGS",
            "STACK_WORKER_ARGS",
            "STACK_INGRESS_ARGS");

    @Test
    void readsTheCommittedFileAsBashSourcesIt() throws IOException, InterruptedException {
        StackLayout layout = StackLayout.load(ROOT);
        StringBuilder script = new StringBuilder("source config/stack.env");
        for (String key : KEYS) {
            script.append(" && printf '%s\\n' \"$").append(key).append('"');
        }
        Process bash = new ProcessBuilder("bash", "-c", script.toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(out.lines().toList())
                .as("bash's reading of config/stack.env")
                .containsExactlyElementsOf(KEYS.stream().map(layout::value).toList());
        assertThat(layout.ingresses()).isPositive();
        assertThat(layout.workers()).isPositive();
    }

    @Test
    void fillsPlaceholdersAndReplacesFlagsOfTheSameName() {
        StackLayout layout = StackLayout.parse("""
                # a comment
                STACK_LLM_ARGS="--port={port} --ttft=200ms  --tokens=40"
                STACK_WORKER_ARGS=--agentic.worker.name={name}
                """);

        assertThat(layout.args(Role.LLM, Map.of("port", "1234"), List.of("--ttft=5ms", "--extra=1")))
                .containsExactly("--port=1234", "--ttft=5ms", "--tokens=40", "--extra=1");
        assertThat(layout.args(Role.WORKER, Map.of("name", "worker-7"), List.of()))
                .containsExactly("--agentic.worker.name=worker-7");
    }

    @Test
    void refusesWhatBashWouldReadDifferently() {
        assertThatThrownBy(() -> StackLayout.parse("STACK_PORT=$HOME\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StackLayout.parse("STACK_ARGS=a b\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        StackLayout.parse("STACK_LLM_ARGS=--port={port}\n").args(Role.LLM, Map.of(), List.of()))
                .hasMessageContaining("{port}");
    }
}
