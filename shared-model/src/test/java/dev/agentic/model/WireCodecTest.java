package dev.agentic.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private static final String ID = "0b8f5a8e-3c3e-4a4b-9a59-6f1f2b8f9d10";

    private static Job job() {
        return new Job(1, ID, "acme", "math", "What is 2+2?", null, Lane.INTERACTIVE, 1_000, 61_000, null);
    }

    @Test
    void jobSurvivesARoundTrip() {
        Job job = job();
        assertThat(WireCodec.decodeJob(WireCodec.encodeJob(job))).isEqualTo(job);
    }

    @Test
    void aJobWithChatOptionsSurvivesARoundTrip() {
        Job plain = job();
        Job job = new Job(
                1,
                plain.id(),
                "acme",
                "general",
                "user: hi",
                null,
                Lane.INTERACTIVE,
                1,
                2,
                null,
                new ChatOptions(
                        List.of(
                                new ChatOptions.Turn("system", "Be brief."),
                                new ChatOptions.Turn("user", "hi"),
                                new ChatOptions.Turn(
                                        "assistant", "", List.of(new StreamEvent.ToolCall("c1", "clock", "{}")), null),
                                new ChatOptions.Turn("tool", "noon", null, "c1")),
                        0.2,
                        null,
                        5,
                        List.of("END"),
                        7,
                        null,
                        null,
                        List.of(new ChatOptions.Tool("clock", null, "{\"type\":\"object\"}", true)),
                        "required",
                        false));
        String json = WireCodec.encodeJob(job);
        assertThat(json)
                .contains("\"max_tokens\":5", "\"tool_call_id\":\"c1\"", "\"tool_choice\":\"required\"")
                .doesNotContain("top_p");
        assertThat(WireCodec.decodeJob(json)).isEqualTo(job);
        assertThat(WireCodec.decodeJob(WireCodec.encodeJob(plain)).chat()).isNull();
    }

    @Test
    void ingestionPayloadSurvivesARoundTripAndRefusesUnknownContentTypes() {
        IngestDocument document =
                new IngestDocument("guide.md", "Guide", "# Hi\ntext", "markdown", Map.of("lang", "en"));
        String json = WireCodec.encodeIngest(document);
        assertThat(json).contains("\"document_id\":\"guide.md\"", "\"content_type\":\"markdown\"");
        assertThat(WireCodec.decodeIngest(json)).isEqualTo(document);
        assertThatThrownBy(() -> WireCodec.decodeIngest(json.replace("markdown", "pdf")))
                .isInstanceOf(MalformedWireDataException.class);
    }

    @Test
    void cachedAnswerSurvivesARoundTrip() {
        CachedAnswer answer =
                new CachedAnswer(ID, 42, List.of(new CachedAnswer.Event("token", "{\"text\":\"4\"}")), "4", "stop");
        assertThat(WireCodec.decodeCachedAnswer(WireCodec.encodeCachedAnswer(answer)))
                .isEqualTo(answer);
    }

    @Test
    void identicalQueriesShareADigestAndOthersDoNot() {
        String digest = CachedAnswer.digest("math", 0, "What is  2+2?");
        assertThat(CachedAnswer.digest("math", 0, " what is 2+2? ")).isEqualTo(digest);
        assertThat(CachedAnswer.digest("math", 0, "ｗhat is 2+2?")).isEqualTo(digest); // NFKC: full-width w
        assertThat(CachedAnswer.digest("general", 0, "What is 2+2?")).isNotEqualTo(digest);
        assertThat(CachedAnswer.digest("math", 1, "What is 2+2?")).isNotEqualTo(digest);
        assertThat(CachedAnswer.digest("math", 0, "What is 2+3?")).isNotEqualTo(digest);
    }

    @Test
    void jobIsWrittenInSnakeCaseWithItsVersionAndWithoutNulls() {
        String json = WireCodec.encodeJob(job());
        assertThat(json)
                .contains("\"v\":1", "\"agent\":\"math\"", "\"deadline_ms\":61000", "\"lane\":\"INTERACTIVE\"")
                .doesNotContain("session_id", "traceparent");
    }

    @Test
    void newerJobWithUnknownFieldsIsReadByThisVersion() {
        String fromNewerWriter = """
                {"v":2,"id":"%s","tenant":"acme","agent":"math","query":"1+1","lane":"INTERACTIVE",
                 "created_at_ms":5,"deadline_ms":10,"priority":"high","routing":{"region":"eu"}}""".formatted(ID);
        Job job = WireCodec.decodeJob(fromNewerWriter);
        assertThat(job.v()).isEqualTo(2);
        assertThat(job.query()).isEqualTo("1+1");
    }

    @Test
    void jobWithoutVersionIsVersionOne() {
        String legacy = """
                {"id":"%s","tenant":"t","agent":"math","query":"1","lane":"BATCH","created_at_ms":1,"deadline_ms":2}""".formatted(ID);
        assertThat(WireCodec.decodeJob(legacy).v()).isEqualTo(1);
    }

    @Test
    void undecodableJobsAreReportedAsMalformed() {
        assertThatThrownBy(() -> WireCodec.decodeJob("{not json")).isInstanceOf(MalformedWireDataException.class);
        assertThatThrownBy(() -> WireCodec.decodeJob("{\"id\":\"../../etc\",\"tenant\":\"t\"}"))
                .isInstanceOf(MalformedWireDataException.class);
    }

    @Test
    void everyEventTypeSurvivesARoundTripWithoutLeakingHelperProperties() {
        StreamEvent[] events = {
            new StreamEvent.Queued("interactive"),
            new StreamEvent.Start("w1", 1),
            new StreamEvent.Token("4"),
            new StreamEvent.ToolStart("calculator", "2+2"),
            new StreamEvent.ToolEnd("calculator", "4"),
            new StreamEvent.ToolCall("call_1", "weather", "{\"city\":\"Paris\"}"),
            new StreamEvent.Metadata(Map.of("model", "sim")),
            new StreamEvent.Restart(2, "worker lost"),
            new StreamEvent.Done(new Usage(3, 5, 0.01), "stop"),
            new StreamEvent.Error("agent_failed", "boom", false)
        };
        for (StreamEvent event : events) {
            String data = WireCodec.encodeData(event);
            assertThat(data).doesNotContain("terminal", "\"type\"");
            EventType type = EventType.fromWire(event.type()).orElseThrow();
            assertThat(WireCodec.decodeEvent(type, data)).isEqualTo(event);
        }
    }

    @Test
    void onlyDoneAndErrorAreTerminal() {
        assertThat(EventType.isTerminal("done")).isTrue();
        assertThat(EventType.isTerminal("error")).isTrue();
        assertThat(EventType.isTerminal("token")).isFalse();
        assertThat(EventType.isTerminal("some_future_event")).isFalse();
    }

    @Test
    void liveBatchCarriesTheRequestAndEachEventWithItsPreviousId() {
        String id = RequestId.newId();
        List<LoggedEvent> events = List.of(
                new LoggedEvent(EventId.parse("17-3"), EventId.parse("17-2"), "token", "{\"text\":\"a\\nb\"}"),
                new LoggedEvent(EventId.parse("17-4"), EventId.parse("17-3"), "done", "{}"));
        String wire = WireCodec.encodeLiveBatch(id, events);
        assertThat(wire).isEqualTo(id + "\n17-2\n17-3\ntoken\n{\"text\":\"a\\nb\"}\n17-3\n17-4\ndone\n{}");
        assertThat(WireCodec.decodeLiveBatch(wire)).isEqualTo(new LiveBatch(id, events));
    }

    @Test
    void malformedLiveBatchIsRejected() {
        String id = RequestId.newId();
        assertThatThrownBy(() -> WireCodec.decodeLiveBatch("garbage")).isInstanceOf(MalformedWireDataException.class);
        assertThatThrownBy(() -> WireCodec.decodeLiveBatch(id)).isInstanceOf(MalformedWireDataException.class);
        assertThatThrownBy(() -> WireCodec.decodeLiveBatch(id + "\nx\n1-1\ntoken\n{}"))
                .isInstanceOf(MalformedWireDataException.class);
        assertThatThrownBy(() -> WireCodec.decodeLiveBatch(id + "\n1-0\n1-1\ntoken\n{}\n1-1"))
                .isInstanceOf(MalformedWireDataException.class);
        assertThatThrownBy(() -> WireCodec.decodeLiveBatch("no id\n1-0\n1-1\ntoken\n{}"))
                .isInstanceOf(MalformedWireDataException.class);
    }
}
