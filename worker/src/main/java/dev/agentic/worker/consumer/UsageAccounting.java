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
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prices a finished answer from the operators' price table and counts it in its tenant's usage
 * ledger once, before its queue entry is acknowledged ({@link Settlements}): the usage of the {@code
 * done} this worker wrote comes from memory, any other ended request's is read back from it (the
 * ledger ignores a request it counted before). A worker that dies before the count leaves the job
 * pending, so the attempt that acknowledges it later counts it.
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

    /** At most this many written usages wait for their settlement; past it they are read back instead. */
    private static final int MAX_WRITTEN = 10_000;

    private final @Nullable UsageLedger ledger;
    private final @Nullable EventLog events;
    private final Map<String, Price> prices;
    /** The usage of each {@code done} this worker wrote, by request id, until its settlement. */
    private final Map<String, Usage> written = new ConcurrentHashMap<>();

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
     * Remembers the usage of the {@code done} this attempt has just written, so its settlement needs
     * no read of the request.
     */
    void count(Job job, Usage usage) {
        if (ledger == null) {
            return;
        }
        if (written.size() >= MAX_WRITTEN) {
            written.clear(); // only a shortcut: the settlement reads the requests back instead
        }
        written.put(job.id(), usage);
    }

    /**
     * Counts the usage of the jobs' requests that ended with {@code done}, once per request: one
     * script call per tenant and day. Called before their entries are acknowledged; throws a Redis
     * failure, so that they stay pending and are counted when reclaimed.
     */
    void settle(List<Job> jobs) {
        UsageLedger ledger = this.ledger;
        if (ledger == null || events == null) {
            return;
        }
        Map<TenantDay, List<UsageLedger.Entry>> byTenantDay = new LinkedHashMap<>();
        for (Job job : jobs) {
            Usage usage = written.remove(job.id());
            if (usage == null) {
                usage = readBack(job);
            }
            if (usage != null) {
                byTenantDay
                        .computeIfAbsent(
                                new TenantDay(job.tenant(), UsageLedger.dayOf(job.createdAtMs())),
                                key -> new ArrayList<>())
                        .add(new UsageLedger.Entry(job.id(), job.agent(), usage));
            }
        }
        byTenantDay.forEach((tenantDay, entries) -> {
            String tenant = tenantDay.tenant();
            try {
                int counted = ledger.recordAll(tenant, tenantDay.day(), entries);
                log.debug("Tenant(id={}) usage of {} request(s) counted, {} new", tenant, entries.size(), counted);
            } catch (IllegalArgumentException e) {
                log.warn(
                        "Tenant(id={}) usage of {} request(s) not counted: {}", tenant, entries.size(), e.getMessage());
            }
        });
    }

    private record TenantDay(String tenant, LocalDate day) {}

    /** The usage stored with the request's {@code done}; null when it did not end with one. */
    private @Nullable Usage readBack(Job job) {
        Map<String, String> status = Objects.requireNonNull(events).status(job.id());
        if (!EventType.DONE.wireName().equals(status.get(RedisKeys.STATUS_FIELD))) {
            return null;
        }
        return usageOf(job, status.get(RedisKeys.RESULT_FIELD));
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
