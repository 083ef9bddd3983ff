package dev.agentic.ingress.limits;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.LogText;
import dev.agentic.model.RedisKeys;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RPermitExpirableSemaphore;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The stream permits this instance holds, one Redisson {@code RPermitExpirableSemaphore} per tenant
 * ({@code agentic:streams:{tenant}}). Each permit carries a lease of {@code agentic.limits.stream-lease};
 * this instance renews the leases of its open streams every third of it and releases a permit when its
 * stream ends. A crashed instance stops renewing, so its permits come back within one lease.
 */
@Component
class StreamLeases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamLeases.class);

    private final RedissonClient redisson;
    private final Duration lease;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    /** The permit count each tenant's semaphore was last set to by this instance. */
    private final Map<String, Long> applied = new ConcurrentHashMap<>();

    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("stream-leases").daemon().factory());

    private record Held(String tenant, String permitId, RPermitExpirableSemaphore semaphore) {}

    StreamLeases(RedissonClient redisson, IngressProperties properties, MeterRegistry meters) {
        this.redisson = redisson;
        this.lease = properties.limits().streamLease();
        long every = lease.toMillis() / 3;
        renewer.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
        Gauge.builder("agentic.ingress.stream.permits", held, Map::size)
                .description("Tenant stream permits held by this instance")
                .register(meters);
    }

    /** A permit of the tenant's {@code max}, or null when all are taken. Redis failures are 503. */
    @Nullable
    StreamPermit tryOpen(String tenant, long max) {
        RPermitExpirableSemaphore semaphore = semaphore(tenant);
        try {
            if (!Long.valueOf(max).equals(applied.get(tenant))) {
                resize(tenant, semaphore, max);
            }
            String permitId = acquire(semaphore);
            if (permitId == null) {
                // Maybe a changed limit another instance set, or state Redis lost: set it and try once more.
                resize(tenant, semaphore, max);
                permitId = acquire(semaphore);
            }
            return permitId == null ? null : hold(new Held(tenant, permitId, semaphore));
        } catch (RedisException e) {
            log.warn("Redis unavailable to the stream limiter: {}", LogText.safe(String.valueOf(e.getMessage())));
            throw ApiException.redisFailure(e);
        }
    }

    private @Nullable String acquire(RPermitExpirableSemaphore semaphore) {
        try {
            return semaphore.tryAcquire(0, lease.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.shuttingDown();
        }
    }

    private void resize(String tenant, RPermitExpirableSemaphore semaphore, long max) {
        semaphore.setPermits((int) Math.min(Integer.MAX_VALUE, max));
        applied.put(tenant, max);
    }

    private StreamPermit hold(Held permit) {
        held.put(permit.permitId(), permit);
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                release(permit);
            }
        };
    }

    private void release(Held permit) {
        held.remove(permit.permitId());
        try {
            permit.semaphore().tryRelease(permit.permitId());
        } catch (RuntimeException e) {
            log.info(
                    "Stream permit of tenant {} not released ({}); it expires within {}",
                    permit.tenant(),
                    LogText.safe(String.valueOf(e.getMessage())),
                    lease);
        }
    }

    /**
     * Renews every held lease, all at once (asynchronously): one slow or unreachable Redis costs one
     * command timeout per round, not one per open stream.
     */
    private void renewAll() {
        Map<Held, CompletableFuture<Boolean>> renewals = new HashMap<>();
        for (Held permit : held.values()) {
            renewals.put(
                    permit,
                    permit.semaphore()
                            .updateLeaseTimeAsync(permit.permitId(), lease.toMillis(), TimeUnit.MILLISECONDS)
                            .toCompletableFuture());
        }
        renewals.forEach((permit, renewal) -> {
            try {
                if (!renewal.get(lease.toMillis(), TimeUnit.MILLISECONDS) && held.containsKey(permit.permitId())) {
                    log.warn(
                            "Stream permit of tenant {} had expired (Redis unreachable longer than the lease?); the stream goes on uncounted",
                            permit.tenant());
                    held.remove(permit.permitId());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                log.debug("stream permit not renewed: {}", LogText.safe(String.valueOf(e.getMessage())));
            }
        });
    }

    private RPermitExpirableSemaphore semaphore(String tenant) {
        return redisson.getPermitExpirableSemaphore(RedisKeys.streamPermits(tenant));
    }

    /** Gives back every permit still held (graceful shutdown); the web server has ended its streams. */
    @Override
    public void close() {
        renewer.shutdownNow();
        held.values().forEach(this::release);
    }
}
