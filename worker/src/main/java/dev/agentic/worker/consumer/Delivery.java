package dev.agentic.worker.consumer;

import dev.agentic.model.Lane;
import io.lettuce.core.StreamMessage;

/**
 * A job's queue entry as this worker received it.
 *
 * @param deliveries how often the entry has been delivered (XREADGROUP, XAUTOCLAIM): 1 for a new
 *     job; the attempt number is counted from it and the request's begun attempts
 */
record Delivery(Lane lane, StreamMessage<String, String> message, long deliveries) {
    Delivery(Lane lane, StreamMessage<String, String> message) {
        this(lane, message, 1);
    }

    String entryId() {
        return message.getId();
    }
}
