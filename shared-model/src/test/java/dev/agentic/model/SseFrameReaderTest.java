package dev.agentic.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class SseFrameReaderTest {

    private static SseFrameReader reader(String text) {
        return SseFrameReader.of(new BufferedReader(new StringReader(text)));
    }

    @Test
    void readsIdEventAndDataOfEachFrame() {
        SseFrameReader sse = reader("id: 1-0\nevent: token\ndata: {\"text\":\"4\"}\n\nevent: done\ndata: {}\n\n");

        assertThat(sse.next()).isEqualTo(new SseFrame("1-0", "token", "{\"text\":\"4\"}"));
        assertThat(sse.next()).isEqualTo(new SseFrame(null, "done", "{}"));
        assertThat(sse.next()).isNull();
    }

    @Test
    void joinsSeveralDataLinesWithNewlines() {
        SseFrameReader sse = reader("data: first\ndata:second\ndata\ndata:  indented\n\n");

        assertThat(sse.next()).isEqualTo(new SseFrame(null, "message", "first\nsecond\n\n indented"));
    }

    @Test
    void countsCommentsAndSkipsUnknownFields() {
        SseFrameReader sse = reader(":heartbeat\n\nretry: 5\nfoo: bar\n:again\nevent: queued\ndata: {}\n\n");

        assertThat(sse.next()).isEqualTo(new SseFrame(null, "queued", "{}"));
        assertThat(sse.comments()).isEqualTo(2);
    }

    @Test
    void dropsAFrameCutOffBeforeItsBlankLine() {
        SseFrameReader sse = reader("event: token\ndata: {\"text\":\"a\"}\n\nevent: token\ndata: {\"te");

        assertThat(sse.next()).isNotNull();
        assertThat(sse.next()).isNull();
    }

    @Test
    void returnsTheRestAsTextForABodyThatIsNotSse() {
        SseFrameReader sse = reader("{\"status\":429,\n\"title\":\"Too Many Requests\"}");

        assertThat(sse.remainingText()).isEqualTo("{\"status\":429,\n\"title\":\"Too Many Requests\"}\n");
    }
}
