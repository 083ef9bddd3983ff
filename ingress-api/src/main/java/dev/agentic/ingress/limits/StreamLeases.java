package dev.agentic.ingress.limits;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.LogText;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.LuaScript;
import dev.agentic.redis.RedisLink;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The stream leases this instance holds. A tenant's open streams are the members of its sorted set
 * {@code agentic:leases:{tenant}} (lease id scored by its expiry); the admission script adds one
 * ({@code admit.lua}), closing the stream removes it (one ZREM), and every third of {@code
 * agentic.limits.stream-lease} this instance renews all of its leases with one script call per tenant
 * ({@code renew-leases.lua}), pipelined, never one call per stream. A live stream's lease therefore
 * never runs out (one that did, because Redis was out of reach for longer than a lease, is added
 * again); a crashed instance stops renewing, so its leases run out within one lease and the next
 * admission that finds the set full drops them.
 */
@Component
class StreamLeases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamLeases.class);
    private static final LuaScript RENEW = LuaScript.fromResource(StreamLeases.class, "renew-leases.lua");
    /** Lease ids per renewal call: far below Lua's limit on the arguments of one command. */
    static final int RENEW_CHUNK = 1000;

    private final RedisLink redis;
    private final Duration lease;
    private final String instance = HexFormat.of().formatHex(seed());
    private final AtomicLong sequence = new AtomicLong();
    /** Lease ids of this instance's live streams, per tenant (tenant entries stay: a bounded set). */
    private final Map<String, Set<String>> held = new ConcurrentHashMap<>();

    private final int gaugeTenants;
    private final MultiGauge tenantPermits;

    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("stream-leases").daemon().factory());

    StreamLeases(RedisLink redis, IngressProperties properties, MeterRegistry meters) {
        this.redis = redis;
        this.lease = properties.limits().streamLease();
        Gauge.builder("agentic.ingress.stream.permits", this, StreamLeases::count)
                .description("Tenant stream permits held by this instance")
                .register(meters);
        this.gaugeTenants = properties.limits().permitGaugeTenants();
        this.tenantPermits = MultiGauge.builder("agentic.ingress.tenant.stream.permits")
                .description("Stream permits this instance holds, for each of the tenants holding the most"
                        + " (agentic.limits.permit-gauge-tenants)")
                .register(meters);
        long every = lease.toMillis() / 3;
        renewer.scheduleWithFixedDelay(this::renewQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Sets the per-tenant gauge's rows to the {@code permitGaugeTenants} tenants holding the most
     * permits here (ties by name); a tenant that falls out of that set, or holds none, loses its row.
     * Runs with every renewal round.
     */
    void publishTenantPermits() {
        if (gaugeTenants == 0) {
            return;
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        held.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue().size()))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Integer>comparingByValue()
                        .reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(gaugeTenants)
                .forEach(e -> rows.add(MultiGauge.Row.of(Tags.of("tenant", e.getKey()), e.getValue())));
        tenantPermits.register(rows, true);
    }

    private static byte[] seed() {
        byte[] bytes = new byte[6];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    Duration lease() {
        return lease;
    }

    /** A fresh lease id: this instance's random id and a counter. */
    String newLeaseId() {
        return instance + ":" + Long.toString(sequence.incrementAndGet(), 36);
    }

    /** Records a lease the admission script took, renews it from now on, and returns its permit. */
    StreamPermit hold(String tenant, String leaseId) {
        held.computeIfAbsent(tenant, t -> ConcurrentHashMap.newKeySet()).add(leaseId);
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                release(tenant, leaseId);
            }
        };
    }

    /** Leases this instance holds. */
    long count() {
        long count = 0;
        for (Set<String> leases : held.values()) {
            count += leases.size();
        }
        return count;
    }

    private void release(String tenant, String leaseId) {
        Set<String> leases = held.get(tenant);
        if (leases != null) {
            leases.remove(leaseId);
        }
        // Not waited for: the stream is over; a lost ZREM costs the tenant the place until the lease runs out.
        redis.async().zrem(RedisKeys.streamPermits(tenant), leaseId).exceptionally(e -> {
            log.info(
                    "Stream permit of tenant {} not released ({}); it expires within {}",
                    tenant,
                    LogText.safe(String.valueOf(e.getMessage())),
                    lease);
            return 0L;
        });
    }

    /**
     * Renews every lease this instance holds: one script call per tenant (per {@value #RENEW_CHUNK}
     * leases), all sent at once, so an unreachable Redis costs one command timeout per round.
     */
    void renewAll() {
        List<CompletableFuture<List<Object>>> calls = new ArrayList<>();
        List<String> tenants = new ArrayList<>();
        held.forEach((tenant, leases) -> {
            List<String> ids = new ArrayList<>(leases);
            for (int from = 0; from < ids.size(); from += RENEW_CHUNK) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + RENEW_CHUNK));
                String[] args = new String[chunk.size() + 1];
                args[0] = Long.toString(lease.toMillis());
                for (int i = 0; i < chunk.size(); i++) {
                    args[i + 1] = chunk.get(i);
                }
                calls.add(RENEW.runMultiAsync(redis.async(), new String[] {RedisKeys.streamPermits(tenant)}, args));
                tenants.add(tenant);
            }
        });
        for (int i = 0; i < calls.size(); i++) {
            awaitRenewal(tenants.get(i), calls.get(i));
        }
    }

    private void awaitRenewal(String tenant, CompletableFuture<List<Object>> call) {
        try {
            List<Object> lost = call.get(lease.toMillis(), TimeUnit.MILLISECONDS);
            if (!lost.isEmpty()) {
                log.warn(
                        "{} stream lease(s) of tenant {} had run out (Redis out of reach longer than {}?); counted again",
                        lost.size(),
                        tenant,
                        lease);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.debug("stream leases not renewed: {}", LogText.safe(String.valueOf(e.getMessage())));
        }
    }

    private void renewQuietly() {
        try {
            publishTenantPermits();
            renewAll();
        } catch (RuntimeException e) {
            log.warn("stream leases not renewed", e);
        }
    }

    /** Stops renewing without releasing anything: what a killed instance does (tests). */
    void stopRenewing() {
        renewer.shutdownNow();
    }

    /** Gives back every lease still held (graceful shutdown); the web server has ended its streams. */
    @Override
    public void close() {
        renewer.shutdownNow();
        held.forEach((tenant, leases) -> {
            List<String> ids = new ArrayList<>(leases);
            leases.clear();
            if (!ids.isEmpty()) {
                try {
                    redis.sync().zrem(RedisKeys.streamPermits(tenant), ids.toArray(String[]::new));
                } catch (RuntimeException e) {
                    log.info(
                            "Stream permits of tenant {} not released at shutdown; they expire within {}",
                            tenant,
                            lease);
                }
            }
        });
    }
}
