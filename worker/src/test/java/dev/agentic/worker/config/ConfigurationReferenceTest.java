package dev.agentic.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.ConfigReference;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every worker knob with the default the code has. */
class ConfigurationReferenceTest {
    @Test
    void everyKnobIsDocumentedWithItsDefault() throws Exception {
        String docs = Files.readString(Path.of("../docs/configuration.md"));
        String section = docs.substring(docs.indexOf("## Worker"), docs.indexOf("## LLM simulator"));
        ConfigReference.knobs(WorkerProperties.class, "agentic")
                .forEach((name, value) -> assertThat(section)
                        .as("docs/configuration.md, Worker section, row of %s", name)
                        .contains("| `" + name + "` | " + (value.isEmpty() ? "(none)" : "`" + value + "`") + " |"));
    }
}
