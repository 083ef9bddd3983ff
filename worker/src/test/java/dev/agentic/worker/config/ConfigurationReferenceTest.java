package dev.agentic.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.ConfigReference;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every knob of {@link WorkerProperties} with the default the code has. */
class ConfigurationReferenceTest {
    @Test
    void everyKnobIsDocumentedWithItsDefault() {
        assertThat(ConfigReference.undocumented(
                        WorkerProperties.class, "agentic", Path.of("../docs/configuration.md"), "## Worker"))
                .as("rows missing from docs/configuration.md, section ## Worker")
                .isEmpty();
    }
}
