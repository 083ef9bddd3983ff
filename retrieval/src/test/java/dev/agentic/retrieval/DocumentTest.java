package dev.agentic.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocumentTest {

    @Test
    void refusesBlankIdsAndTenants() {
        assertThatThrownBy(() -> Document.text(" ", "doc", "", "text"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> Document.text("acme", "", "", "text"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("document id");
        assertThatThrownBy(() -> new Chunk("", 0, "text", Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesControlCharactersInTenants() {
        assertThatThrownBy(() -> Document.text("ac\u0000me", "doc", "", "text"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control");
    }

    @Test
    void refusesTextsAndNamesBeyondTheLimits() {
        assertThatThrownBy(() -> Document.text("acme", "doc", "", "x".repeat(Limits.MAX_DOCUMENT_LENGTH + 1)))
                .hasMessageContaining("longer than");
        assertThatThrownBy(() -> Document.text("t".repeat(Limits.MAX_TENANT_LENGTH + 1), "doc", "", "x"))
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> new Chunk("doc", 0, "x".repeat(Limits.MAX_CHUNK_LENGTH + 1), Map.of()))
                .hasMessageContaining("longer than");
        assertThatThrownBy(() -> new Chunk("doc", -1, "x", Map.of())).hasMessageContaining("negative");
        assertThatThrownBy(() -> new Chunk("doc", 0, " ", Map.of())).hasMessageContaining("blank");
    }

    @Test
    void refusesTooMuchMetadata() {
        Map<String, String> metadata = new HashMap<>();
        for (int i = 0; i <= Limits.MAX_DOCUMENT_METADATA_ENTRIES; i++) {
            metadata.put("k" + i, "v");
        }
        assertThatThrownBy(() -> new Document("doc", "acme", "", "x", ContentType.TEXT, metadata))
                .hasMessageContaining("metadata");
    }

    @Test
    void copiesMetadataSoLaterChangesDoNotLeakIn() {
        Map<String, String> metadata = new HashMap<>(Map.of("a", "1"));
        Document document = new Document("doc", "acme", "", "x", ContentType.TEXT, metadata);
        metadata.put("b", "2");

        assertThat(document.metadata()).containsOnlyKeys("a");
    }

    @Test
    void readsMediaTypes() {
        assertThat(ContentType.fromMediaType("text/markdown; charset=utf-8")).isEqualTo(ContentType.MARKDOWN);
        assertThat(ContentType.fromMediaType("TEXT/PLAIN")).isEqualTo(ContentType.TEXT);
        assertThatThrownBy(() -> ContentType.fromMediaType("application/pdf")).hasMessageContaining("unsupported");
    }
}
