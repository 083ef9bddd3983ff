package dev.agentic.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON encoding of jobs and event payloads, and the text form of the live pub/sub message. Readers
 * ignore fields they do not know, so a newer writer can add fields without breaking older readers.
 */
public final class WireCodec {
    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .changeDefaultPropertyInclusion(incl -> incl.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    private WireCodec() {}

    public static String encodeJob(Job job) {
        return JSON.writeValueAsString(job);
    }

    /**
     * @throws MalformedWireDataException when the text is not a valid job of any version
     */
    public static Job decodeJob(String json) {
        try {
            return JSON.readValue(json, Job.class);
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            throw new MalformedWireDataException("undecodable job: " + e.getMessage(), e);
        }
    }

    public static String encodeIngest(IngestDocument document) {
        return JSON.writeValueAsString(document);
    }

    /**
     * @throws MalformedWireDataException when the text is not an ingestion payload
     */
    public static IngestDocument decodeIngest(String json) {
        try {
            return JSON.readValue(json, IngestDocument.class);
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            throw new MalformedWireDataException("undecodable document: " + e.getMessage(), e);
        }
    }

    public static String encodeCachedAnswer(CachedAnswer answer) {
        return JSON.writeValueAsString(answer);
    }

    /**
     * @throws MalformedWireDataException when the text is not a cached answer
     */
    public static CachedAnswer decodeCachedAnswer(String json) {
        try {
            return JSON.readValue(json, CachedAnswer.class);
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            throw new MalformedWireDataException("undecodable cached answer: " + e.getMessage(), e);
        }
    }

    /** The JSON payload of an event (its fields without the type, which travels beside it). */
    public static String encodeData(StreamEvent event) {
        return JSON.writeValueAsString(event);
    }

    /**
     * @throws MalformedWireDataException for a payload that does not fit the named type
     */
    public static StreamEvent decodeEvent(EventType type, String data) {
        Class<? extends StreamEvent> target = switch (type) {
            case QUEUED -> StreamEvent.Queued.class;
            case START -> StreamEvent.Start.class;
            case TOKEN -> StreamEvent.Token.class;
            case TOOL_START -> StreamEvent.ToolStart.class;
            case TOOL_END -> StreamEvent.ToolEnd.class;
            case TOOL_CALL -> StreamEvent.ToolCall.class;
            case METADATA -> StreamEvent.Metadata.class;
            case RESTART -> StreamEvent.Restart.class;
            case DONE -> StreamEvent.Done.class;
            case ERROR -> StreamEvent.Error.class;
        };
        try {
            return JSON.readValue(data, target);
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            throw new MalformedWireDataException("undecodable " + type.wireName() + " event", e);
        }
    }

    /** Plain JSON object encoding for small documents (answers, problem details in tests). */
    public static String toJson(Map<String, ?> values) {
        return JSON.writeValueAsString(values);
    }

    /**
     * Decodes the live message the emit script publishes to the relay channels: line 1 the request
     * id, then per event four lines {@code previousId}, {@code id}, {@code type}, {@code data}
     * (event data is one-line JSON). The script builds it in Lua; this is the one Java place that
     * knows its layout.
     *
     * @throws MalformedWireDataException for anything else
     */
    public static LiveBatch decodeLiveBatch(String message) {
        String[] lines = message.split("\n", -1);
        if (lines.length < 5 || (lines.length - 1) % 4 != 0) {
            throw new MalformedWireDataException("live batch has " + lines.length + " lines", null);
        }
        try {
            List<LoggedEvent> events = new ArrayList<>((lines.length - 1) / 4);
            for (int i = 1; i < lines.length; i += 4) {
                events.add(new LoggedEvent(
                        EventId.parse(lines[i + 1]), EventId.parse(lines[i]), lines[i + 2], lines[i + 3]));
            }
            if (!RequestId.isValid(lines[0])) {
                throw new IllegalArgumentException("not a request id");
            }
            return new LiveBatch(lines[0], events);
        } catch (IllegalArgumentException e) {
            throw new MalformedWireDataException("bad live batch: " + e.getMessage(), e);
        }
    }

    /** The inverse of {@link #decodeLiveBatch}; the Lua emit script builds the same text. */
    public static String encodeLiveBatch(String requestId, List<LoggedEvent> events) {
        StringBuilder text = new StringBuilder(requestId);
        for (LoggedEvent event : events) {
            if (event.data().indexOf('\n') >= 0 || event.type().indexOf('\n') >= 0) {
                throw new IllegalArgumentException("live events are one line of type and one of data");
            }
            EventId previous = event.previous() == null ? EventId.ZERO : event.previous();
            text.append('\n').append(previous).append('\n').append(event.id());
            text.append('\n').append(event.type()).append('\n').append(event.data());
        }
        return text.toString();
    }
}
