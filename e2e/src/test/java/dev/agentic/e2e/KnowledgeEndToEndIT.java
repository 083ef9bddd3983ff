package dev.agentic.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.testsupport.SseClient;
import dev.agentic.testsupport.SseClient.Frame;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Documents in, cited answers out, through Nginx, two ingress instances and two worker processes
 * that share one Lucene index: ingestion on the batch lane with progress, the rag agent's
 * retrieval events and citations, the response cache, and re-ingestion replacing a document.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
class KnowledgeEndToEndIT {
    private static final String FERRY = """
            # Ferry timetable

            ## Winter
            The Kestrel ferry leaves Port Alder at 07:15 and 16:40 every day from November to March.
            Bicycles travel free; cars must be booked a day ahead.

            ## Summer
            From April to October the Kestrel sails hourly between 06:00 and 21:00.
            """;

    private Stack stack;

    @BeforeAll
    void start() {
        stack = new Stack(2, 2);
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private SseClient.Stream post(String path, String body, Map<String, String> headers) {
        return SseClient.post(stack.url(path), body, Stack.auth(headers));
    }

    private List<Frame> ingest(String id, String text) {
        String body =
                "{\"id\":\"" + id + "\",\"title\":\"Ferry timetable\",\"text\":\"" + text.replace("\n", "\\n") + "\"}";
        try (SseClient.Stream stream = post("/api/v1/documents", body, Map.of())) {
            assertThat(stream.status())
                    .as(() -> stream.bodyText() + stack.logs())
                    .isEqualTo(200);
            return stream.drain();
        }
    }

    private List<Frame> ask(String question, Map<String, String> headers) {
        try (SseClient.Stream stream =
                post("/api/v1/query", "{\"query\":\"" + question + "\",\"agent_type\":\"rag\"}", headers)) {
            assertThat(stream.status())
                    .as(() -> stream.bodyText() + stack.logs())
                    .isEqualTo(200);
            return stream.drain();
        }
    }

    private static String text(List<Frame> frames) {
        return frames.stream()
                .filter(f -> f.event().equals("token"))
                .map(f -> f.data().replaceAll("^\\{\"text\":\"(.*)\"}$", "$1").replace("\\n", "\n"))
                .collect(Collectors.joining());
    }

    @Test
    void anIngestedDocumentAnswersWithCitationsThenTheCacheThenItsNewVersion() {
        List<Frame> ingestion = ingest("ferry.md", FERRY);
        assertThat(ingestion)
                .extracting(Frame::event)
                .startsWith("queued")
                .containsSubsequence("start", "tool_start", "metadata", "tool_end", "done");
        assertThat(ingestion.get(0).data()).contains("batch");
        assertThat(ingestion).anySatisfy(f -> assertThat(f.data()).contains("chunks_total"));

        List<Frame> answer = ask("When does the Kestrel ferry leave in winter?", Map.of());
        assertThat(answer)
                .extracting(Frame::event)
                .containsSubsequence("start", "tool_start", "tool_end", "metadata", "token", "done");
        assertThat(answer)
                .anySatisfy(f -> assertThat(f.data()).contains("\"citations\"", "\"document_id\":\"ferry.md\""));
        assertThat(text(answer)).contains("[1]", "07:15", "Sources:", "ferry.md");

        List<Frame> again = ask("when does the Kestrel ferry  leave in winter?", Map.of());
        assertThat(again).anySatisfy(f -> assertThat(f.data()).contains("\"cached\":true"));
        assertThat(text(again)).isEqualTo(text(answer));

        ingest("ferry.md", FERRY.replace("07:15", "08:05"));
        List<Frame> after = ask("When does the Kestrel ferry leave in winter?", Map.of());
        assertThat(after).noneSatisfy(f -> assertThat(f.data()).contains("\"cached\":true"));
        assertThat(text(after)).contains("08:05").doesNotContain("07:15");
    }

    /** What {@code bin/agentic} printed and how it exited. */
    private record Cli(int exit, String out, String err) {}

    /** Runs {@code bin/agentic ARGS} against this stack's Nginx with its admin key. */
    private Cli cli(java.nio.file.Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(
                List.of(Stack.root().resolve("bin/agentic").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("AGENTIC_PORT", String.valueOf(stack.nginx.port()));
        builder.environment().put("AGENTIC_API_KEY", Stack.ADMIN_KEY);
        java.nio.file.Path out = java.nio.file.Files.createTempFile("cli-out", ".txt");
        java.nio.file.Path err = java.nio.file.Files.createTempFile("cli-err", ".txt");
        Process process =
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new Cli(process.exitValue(), java.nio.file.Files.readString(out), java.nio.file.Files.readString(err));
    }

    @Test
    void theCliIngestsAFolderAndPrintsAnAnswerAsTextWithItsEventsAside(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("notes"));
        java.nio.file.Files.writeString(
                dir.resolve("notes/lighthouse.md"),
                "# Lighthouse\n\nThe Gull Point lighthouse is painted red and white and was lit in 1871.\n");
        java.nio.file.Files.writeString(dir.resolve("notes/skip.pdf"), "not a text file");

        Cli ingest = cli(dir, "ingest", "notes");
        assertThat(ingest.exit()).as(ingest.err()).isZero();
        assertThat(ingest.out()).contains("Ingested notes/lighthouse.md: 1 chunks");

        Cli answer = cli(dir, "query", "--agent", "rag", "When was the Gull Point lighthouse lit?");
        assertThat(answer.exit()).as(answer.err()).isZero();
        assertThat(answer.out()).contains("[1]", "1871", "notes/lighthouse.md").doesNotContain("event:", "data:");
        assertThat(answer.err()).contains("[queued on interactive]", "[retrieval <- ", "[done: stop");

        Cli failed = cli(dir, "query", "--agent", "diagnostic", "fail");
        assertThat(failed.exit()).isEqualTo(3);
        assertThat(failed.err()).contains("[error agent_failed");

        Cli raw = cli(dir, "query", "--raw", "What is 6*7?");
        assertThat(raw.exit()).isZero();
        assertThat(raw.out()).contains("event: token", "event: done");
    }

    @Test
    void aQuestionTheKnowledgeBaseCannotAnswerGetsAClearAnswerNotAnError() {
        List<Frame> answer = ask("zxqv wubble frobnicate quantum marmalade", Map.of("Cache-Control", "no-cache"));
        assertThat(answer).extracting(Frame::event).last().isEqualTo("done");
    }
}
