package dev.agentic.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.retrieval.chunk.ChunkingOptions;
import dev.agentic.retrieval.embed.OpenAiEmbeddingSettings;
import dev.agentic.retrieval.store.LuceneStoreSettings;
import dev.agentic.retrieval.store.QdrantSettings;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds the option tables of docs/retrieval.md to the settings records: every component has a row
 * and the row shows the default the code uses.
 */
class RetrievalDocsTest {
    private static final Path DOC = Path.of("..", "docs", "retrieval.md");

    static List<Record> defaults() {
        return List.of(
                ChunkingOptions.defaults(),
                OpenAiEmbeddingSettings.of(URI.create("http://required"), "required", null, 1),
                LuceneStoreSettings.of(Path.of("required"), 1),
                QdrantSettings.of("required", 1));
    }

    @ParameterizedTest
    @MethodSource("defaults")
    void documentsEveryOptionWithItsDefault(Record defaults) throws IOException {
        String table = section(Files.readString(DOC), "`" + defaults.getClass().getSimpleName() + "`");
        for (RecordComponent component : defaults.getClass().getRecordComponents()) {
            String row = row(table, component.getName());
            assertThat(row).as("row of %s in %s", component.getName(), DOC).isNotNull();
            String expected = documented(component, defaults);
            if (expected != null) {
                assertThat(row).as("default of %s", component.getName()).contains("| `" + expected + "` |");
            }
        }
    }

    /** The text from the heading that names the record to the next heading. */
    private static String section(String doc, String recordName) {
        int start = Arrays.stream(doc.split("\n"))
                .filter(line -> line.startsWith("#") && line.contains(recordName))
                .findFirst()
                .map(doc::indexOf)
                .orElseThrow(() -> new AssertionError("docs/retrieval.md has no heading naming " + recordName));
        int end = doc.indexOf("\n#", start + 1);
        return end < 0 ? doc.substring(start) : doc.substring(start, end);
    }

    private static String row(String table, String option) {
        return table.lines()
                .filter(line -> line.startsWith("| `" + option + "` |"))
                .findFirst()
                .orElse(null);
    }

    /** The default as the doc writes it; null for options without a default (required ones). */
    private static String documented(RecordComponent component, Record defaults) {
        Object value;
        try {
            value = component.getAccessor().invoke(defaults);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        if (value == null) {
            return "(none)";
        }
        if (value instanceof Duration duration) {
            return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
        }
        if (value.equals("required") || value.equals(1) && component.getName().equals("dimension")) {
            return null;
        }
        if (value instanceof URI || value instanceof Path) {
            return null;
        }
        return value.toString();
    }
}
