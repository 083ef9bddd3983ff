package dev.agentic.ingress.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.model.RedisKeys;
import dev.agentic.testsupport.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RPermitExpirableSemaphore;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.redisson.api.ratelimiter.RateLimiterArgs;

/**
 * Redisson's limiter and semaphore scripts run as the ingress ACL user of docs/security.md, through
 * the same connection settings the ingress uses: the keys stay under {@code agentic:*} and the
 * semaphore's release announcements need the {@code redisson_sc:agentic:*} channel permission.
 */
class LimitsAclTest {
    private static RedisServer server;
    private static RedissonClient redisson;

    @BeforeAll
    static void startRedisWithUsers() throws Exception {
        Path acl = Files.createTempFile("agentic-users", ".acl");
        Files.write(
                acl,
                Files.readAllLines(Path.of("../docs/security.md")).stream()
                        .filter(line -> line.startsWith("user "))
                        .toList());
        server = RedisServer.start(false, List.of("--requirepass", "admin-secret", "--aclfile", acl.toString()));
        IngressProperties.Redis settings = new IngressProperties.Redis(
                "redis://agentic-ingress:ingress-secret@127.0.0.1:" + server.port(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2));
        redisson = Redisson.create(RedissonConfiguration.config(settings));
    }

    @AfterAll
    static void stop() {
        if (redisson != null) {
            redisson.shutdown();
        }
        server.close();
    }

    @Test
    void rateLimiterRunsAsTheIngressUser() {
        RRateLimiter limiter = redisson.getRateLimiter(RedisKeys.rateLimiter("acme", "burst"));
        limiter.setRate(RateLimiterArgs.of(RateType.OVERALL, 2, Duration.ofSeconds(10))
                .keepAliveTime(Duration.ofHours(1))
                .keepState(true));

        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(limiter.availablePermits()).isZero();
    }

    @Test
    void streamPermitsAreTakenRenewedExpiredAndReleasedAsTheIngressUser() throws Exception {
        RPermitExpirableSemaphore semaphore = redisson.getPermitExpirableSemaphore(RedisKeys.streamPermits("acme"));
        semaphore.setPermits(2);

        String kept = semaphore.tryAcquire(0, 10_000, TimeUnit.MILLISECONDS);
        String expiring = semaphore.tryAcquire(0, 300, TimeUnit.MILLISECONDS);
        assertThat(kept).isNotNull();
        assertThat(expiring).isNotNull();
        assertThat(semaphore.tryAcquire(0, 10_000, TimeUnit.MILLISECONDS)).isNull();
        assertThat(semaphore.updateLeaseTime(kept, 10_000, TimeUnit.MILLISECONDS))
                .isTrue();

        // The short lease runs out: an acquire then takes its permit back (and publishes).
        String again = org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> semaphore.tryAcquire(0, 10_000, TimeUnit.MILLISECONDS), java.util.Objects::nonNull);
        assertThat(semaphore.tryRelease(kept)).isTrue();
        assertThat(semaphore.tryRelease(again)).isTrue();
        assertThat(semaphore.availablePermits()).isEqualTo(2);
    }
}
