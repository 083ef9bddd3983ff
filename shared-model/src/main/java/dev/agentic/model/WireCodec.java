package dev.agentic.model;

import com.fasterxml.jackson.annotation.JsonInclude;
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
     * Decodes the live message that the emit script publishes: {@code previous \n id \n type \n data}.
     * The script builds it in Lua, so this is the one place that knows its layout.
     */
    public static LoggedEvent decodeLiveMessage(String message) {
        String[] parts = message.split("\n", 4);
        if (parts.length != 4) {
            throw new MalformedWireDataException("live message has " + parts.length + " parts", null);
        }
        try {
            return new LoggedEvent(EventId.parse(parts[1]), EventId.parse(parts[0]), parts[2], parts[3]);
        } catch (IllegalArgumentException e) {
            throw new MalformedWireDataException("bad live message: " + e.getMessage(), e);
        }
    }

    /** The inverse of {@link #decodeLiveMessage}; the Lua emit script builds the same text. */
    public static String encodeLiveMessage(LoggedEvent event) {
        EventId previous = event.previous() == null ? EventId.ZERO : event.previous();
        return previous + "\n" + event.id() + "\n" + event.type() + "\n" + event.data();
    }
}
