package dev.agentic.ingress.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.ConfigReference;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every knob of {@link IngressProperties} with the default the code has. */
class ConfigurationReferenceTest {
    @Test
    void everyKnobIsDocumentedWithItsDefault() {
        assertThat(ConfigReference.undocumented(
                        IngressProperties.class, "agentic", Path.of("../docs/configuration.md"), "## Ingress"))
                .as("rows missing from docs/configuration.md, section ## Ingress")
                .isEmpty();
    }
}
