package dev.agentic.worker.consumer;

import dev.agentic.model.EventType;
import dev.agentic.model.Job;
import dev.agentic.model.MalformedWireDataException;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.Usage;
import dev.agentic.model.WireCodec;
import dev.agentic.redis.EventLog;
import dev.agentic.redis.UsageLedger;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prices a finished answer from the operators' price table and counts it in its tenant's usage
 * ledger once: whichever attempt acknowledges a request that ended with {@code done} counts the
 * usage stored with that {@code done} (the ledger ignores a request it counted before). A worker that
 * dies between writing {@code done} and counting leaves the job pending, so the attempt that
 * acknowledges it later counts it.
 */
public final class UsageAccounting {
    private static final Logger log = LoggerFactory.getLogger(UsageAccounting.class);

    /** Prices nothing and counts nothing (tests of the consumer loop that do not look at usage). */
    public static final UsageAccounting NONE = new UsageAccounting(null, null, Map.of());

    /**
     * USD per one million tokens.
     *
     * @param input per million input (prompt) tokens
     * @param output per million output (generated) tokens
     */
    public record Price(double input, double output) {
        public Price {
            if (input < 0 || output < 0 || !Double.isFinite(input) || !Double.isFinite(output)) {
                throw new IllegalArgumentException("prices must be finite and not negative");
            }
        }

        double cost(Usage usage) {
            return (usage.tokensIn() * input + usage.tokensOut() * output) / 1_000_000.0;
        }
    }

    /** Requests whose {@code done} this worker wrote and counted; their {@link #settle} has nothing to read. */
    private static final int MAX_COUNTED_HERE = 10_000;

    private final @Nullable UsageLedger ledger;
    private final @Nullable EventLog events;
    private final Map<String, Price> prices;
    private final Set<String> countedHere = ConcurrentHashMap.newKeySet();

    /** @param prices by agent name; an agent without a price keeps the cost it reports */
    public UsageAccounting(@Nullable UsageLedger ledger, @Nullable EventLog events, Map<String, Price> prices) {
        this.ledger = ledger;
        this.events = events;
        this.prices = Map.copyOf(prices);
    }

    /** The usage with its cost from the price table when the agent reported none. */
    Usage priced(String agent, Usage usage) {
        Price price = prices.get(agent);
        if (price == null || usage.costUsd() > 0) {
            return usage;
        }
        return new Usage(usage.tokensIn(), usage.tokensOut(), price.cost(usage));
    }

    /**
     * Counts the usage of the {@code done} this attempt has just written: its usage is known, so
     * {@link #settle} then needs no read of the request. Throws a Redis failure (the entry stays
     * pending and the attempt that acknowledges it counts it).
     */
    void count(Job job, Usage usage) {
        if (ledger == null || events == null) {
            return;
        }
        record(job, usage);
        if (countedHere.size() >= MAX_COUNTED_HERE) {
            countedHere.clear(); // only a shortcut: settle reads the request instead
        }
        countedHere.add(job.id());
    }

    /**
     * Counts the request's usage if it ended with {@code done}; called before its entry is
     * acknowledged. Throws a Redis failure, so that the entry stays pending and is counted later.
     */
    void settle(Job job) {
        if (ledger == null || events == null || countedHere.remove(job.id())) {
            return;
        }
        Map<String, String> status = events.status(job.id());
        if (!EventType.DONE.wireName().equals(status.get(RedisKeys.STATUS_FIELD))) {
            return;
        }
        Usage usage = usageOf(job, status.get(RedisKeys.RESULT_FIELD));
        if (usage == null) {
            return;
        }
        record(job, usage);
    }

    private void record(Job job, Usage usage) {
        UsageLedger ledger = this.ledger;
        if (ledger == null) {
            return;
        }
        boolean counted;
        try {
            counted = ledger.record(job.tenant(), job.agent(), job.id(), UsageLedger.dayOf(job.createdAtMs()), usage);
        } catch (IllegalArgumentException e) {
            log.warn("Query(id={}, tenant={}) usage not counted: {}", job.id(), job.tenant(), e.getMessage());
            return;
        }
        if (counted) {
            log.debug("Query(id={}, tenant={}) usage counted: {}", job.id(), job.tenant(), usage);
        }
    }

    private static @Nullable Usage usageOf(Job job, @Nullable String result) {
        if (result == null) {
            return null;
        }
        try {
            if (WireCodec.decodeEvent(EventType.DONE, result) instanceof StreamEvent.Done done) {
                return done.usage();
            }
        } catch (MalformedWireDataException | IllegalArgumentException e) {
            log.warn("Query(id={}) done without readable usage; not counted: {}", job.id(), e.getMessage());
        }
        return null;
    }
}
