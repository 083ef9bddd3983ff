package dev.agentic.ingress.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisLink;
import dev.agentic.redis.RedisSettings;
import dev.agentic.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The admission script and the lease renewal against a real redis-server, run as the ingress ACL
 * user of docs/security.md (so every key and command they use is one that user may touch). Two
 * limiters with their own connections stand for two ingress instances.
 */
class TenantLimiterTest {
    private static RedisServer server;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> admin;

    private final List<AutoCloseable> instances = new ArrayList<>();

    @BeforeAll
    static void startRedisWithUsers() throws Exception {
        Path acl = Files.createTempFile("agentic-users", ".acl");
        Files.write(
                acl,
                Files.readAllLines(Path.of("../docs/security.md")).stream()
                        .filter(line -> line.startsWith("user "))
                        .toList());
        server = RedisServer.start(false, List.of("--requirepass", "admin-secret", "--aclfile", acl.toString()));
        client = new RedisSettings(
                        "redis://agentic-ingress:ingress-secret@127.0.0.1:" + server.port(),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2))
                .createClient();
        admin = new RedisSettings(
                        "redis://default:admin-secret@127.0.0.1:" + server.port(),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2))
                .createClient()
                .connect();
    }

    @AfterAll
    static void stop() {
        client.shutdown();
        server.close();
    }

    @AfterEach
    void closeInstances() throws Exception {
        for (AutoCloseable instance : instances) {
            instance.close();
        }
        admin.sync().flushall();
    }

    /** One ingress instance's limiter: its own connection, lease renewal and live limits. */
    private record Instance(TenantLimiter limiter, StreamLeases leases, LiveLimits live, SimpleMeterRegistry meters)
            implements AutoCloseable {
        @Override
        public void close() {
            leases.close();
            live.close();
        }
    }

    private Instance instance(Map<String, String> limits) {
        Map<String, String> config = new HashMap<>();
        config.put("agentic.limits.stream-lease", "3s");
        limits.forEach((knob, value) -> config.put("agentic.limits." + knob, value));
        IngressProperties properties =
                new Binder(new MapConfigurationPropertySource(config)).bindOrCreate("agentic", IngressProperties.class);
        StatefulRedisConnection<String, String> connection = client.connect();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RedisLink link = RedisLink.of(connection);
        StreamLeases leases = new StreamLeases(link, properties, meters);
        LiveLimits live = new LiveLimits(link, properties);
        Instance instance =
                new Instance(new TenantLimiter(link, live, leases, Clock.systemUTC(), meters), leases, live, meters);
        instances.add(instance);
        instances.add(connection);
        return instance;
    }

    @Test
    void thePermitGaugeShowsOnlyTheTenantsHoldingTheMost() {
        Instance one = instance(Map.of("max-streams", "10", "permit-gauge-tenants", "2"));
        List<StreamPermit> open = new ArrayList<>();
        Map.of("heavy", 3, "middle", 2, "light", 1).forEach((tenant, streams) -> {
            for (int i = 0; i < streams; i++) {
                open.add(one.limiter().openStream(tenant));
            }
        });
        one.leases().publishTenantPermits();
        assertThat(tenantPermits(one)).containsExactlyInAnyOrderEntriesOf(Map.of("heavy", 3.0, "middle", 2.0));

        open.forEach(StreamPermit::close); // every stream ends: no tenant holds a permit
        one.leases().publishTenantPermits();
        assertThat(tenantPermits(one)).isEmpty();
        assertThat(one.meters().get("agentic.ingress.stream.permits").gauge().value())
                .isZero();
    }

    @Test
    void noTenantGetsARowWhenThePermitGaugeIsOff() {
        Instance one = instance(Map.of("max-streams", "10", "permit-gauge-tenants", "0"));
        try (StreamPermit permit = one.limiter().openStream("acme")) {
            one.leases().publishTenantPermits();
            assertThat(tenantPermits(one)).isEmpty();
            assertThat(one.meters()
                            .get("agentic.ingress.stream.permits")
                            .gauge()
                            .value())
                    .isEqualTo(1.0);
        }
    }

    private static Map<String, Double> tenantPermits(Instance instance) {
        Map<String, Double> rows = new HashMap<>();
        instance.meters()
                .find("agentic.ingress.tenant.stream.permits")
                .gauges()
                .forEach(g -> rows.put(g.getId().getTag("tenant"), g.value()));
        return rows;
    }

    @Test
    void theRateHoldsUnderConcurrencyAcrossTwoInstances() throws Exception {
        Map<String, String> limits = Map.of("rate-per-second", "1", "burst", "50", "max-streams", "0");
        Instance one = instance(limits);
        Instance two = instance(limits);
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Callable<Void>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            TenantLimiter limiter = (i % 2 == 0 ? one : two).limiter();
            calls.add(() -> {
                try {
                    limiter.admitQuery("acme", false).close();
                    admitted.incrementAndGet();
                } catch (ApiException e) {
                    assertThat(e.code()).isEqualTo("rate_limited");
                    refused.incrementAndGet();
                }
                return null;
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (Future<Void> call : pool.invokeAll(calls)) {
                call.get();
            }
        }
        // The burst of 50 at once, plus at most the one or two places given back while the calls ran.
        assertThat(admitted.get()).isBetween(50, 53);
        assertThat(refused.get()).isEqualTo(200 - admitted.get());
    }

    @Test
    void rateLimitHeadersCountDownAndARefusalTakesNothing() {
        Instance one = instance(Map.of("rate-per-second", "1", "burst", "3", "max-streams", "1"));
        List<String> states = new ArrayList<>();
        TenantLimiter.Admitted held = one.limiter().admitQuery("acme", true);
        states.add(held.headers().fields().get(RateLimitHeaders.STATE));
        assertThat(held.headers().fields()).containsEntry(RateLimitHeaders.POLICY, "\"burst\";q=3;w=3");
        // The stream limit refuses the next one: the refusal uses no place of the rate.
        assertThatThrownBy(() -> one.limiter().admitQuery("acme", true))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("too_many_streams"));
        held.close();
        await().atMost(Duration.ofSeconds(2)).until(() -> admin.sync().zcard(RedisKeys.streamPermits("acme")) == 0);
        states.add(one.limiter().admitQuery("acme", false).headers().fields().get(RateLimitHeaders.STATE));
        states.add(one.limiter().admitQuery("acme", false).headers().fields().get(RateLimitHeaders.STATE));
        assertThat(states).containsExactly("\"burst\";r=2;t=1", "\"burst\";r=1;t=2", "\"burst\";r=0;t=3");
        assertThatThrownBy(() -> one.limiter().admitQuery("acme", false))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("rate_limited");
                    assertThat(e.headers()).containsEntry(RateLimitHeaders.STATE, "\"burst\";r=0;t=1");
                });
    }

    @Test
    void aLiveStreamsLeaseNeverRunsOut() {
        Instance one = instance(Map.of("max-streams", "1"));
        Instance two = instance(Map.of("max-streams", "1"));
        try (StreamPermit permit = one.limiter().openStream("acme")) {
            // Three leases' time: without renewal the permit would have run out twice over.
            long until = System.nanoTime() + Duration.ofSeconds(9).toNanos();
            while (System.nanoTime() < until) {
                assertThatThrownBy(() -> two.limiter().openStream("acme"))
                        .isInstanceOfSatisfying(
                                ApiException.class, e -> assertThat(e.code()).isEqualTo("too_many_streams"));
                await().pollDelay(Duration.ofMillis(500)).until(() -> true);
            }
            assertThat(one.leases().count()).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> admin.sync().zcard(RedisKeys.streamPermits("acme")) == 0);
        two.limiter().openStream("acme").close();
    }

    @Test
    void aDeadInstancesLeasesRunOutAndTheirPlacesComeBack() {
        Instance dead = instance(Map.of("max-streams", "2"));
        Instance live = instance(Map.of("max-streams", "2"));
        dead.limiter().openStream("acme");
        dead.limiter().openStream("acme");
        dead.leases().stopRenewing(); // as if killed: no renewal, no release
        assertThatThrownBy(() -> live.limiter().openStream("acme")).isInstanceOf(ApiException.class);

        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(6)).until(() -> {
            try {
                live.limiter().openStream("acme");
                return true;
            } catch (ApiException e) {
                return false;
            }
        });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3500));
        live.limiter().openStream("acme"); // the second place too
    }

    @Test
    void aLeaseLostWhileRedisWasAwayIsCountedAgainAtTheNextRenewal() {
        Instance one = instance(Map.of("max-streams", "5"));
        StreamPermit permit = one.limiter().openStream("acme");
        admin.sync().del(RedisKeys.streamPermits("acme")); // as after a Redis outage longer than a lease
        one.leases().renewAll();
        assertThat(admin.sync().zcard(RedisKeys.streamPermits("acme"))).isEqualTo(1);
        assertThat(admin.sync().pttl(RedisKeys.streamPermits("acme"))).isBetween(1L, 3000L);
        permit.close();
        await().atMost(Duration.ofSeconds(2)).until(() -> admin.sync().exists(RedisKeys.streamPermits("acme")) == 0);
    }

    @Test
    void renewalOfManyStreamsIsOneCallPerTenant() {
        Instance one = instance(Map.of("max-streams", "5000", "rate-per-second", "0"));
        for (int i = 0; i < 2500; i++) {
            one.limiter().openStream("acme");
        }
        one.leases().stopRenewing(); // only the renewal below is counted
        admin.sync().configResetstat();
        one.leases().renewAll();
        String stats = admin.sync().info("commandstats");
        assertThat(stats).contains("cmdstat_evalsha:calls=3"); // 2,500 leases in chunks of 1,000
        assertThat(stats).contains("cmdstat_zadd:calls=3");
        assertThat(admin.sync().zcard(RedisKeys.streamPermits("acme"))).isEqualTo(2500);
    }

    @Test
    void aBurstOfFiveThousandOpensOnTwoInstancesIsCountedWholeAndStaysCounted() throws Exception {
        Map<String, String> limits = Map.of("max-streams", "5000", "rate-per-second", "0");
        Instance one = instance(limits);
        Instance two = instance(limits);
        List<Callable<StreamPermit>> opens = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            TenantLimiter limiter = (i % 2 == 0 ? one : two).limiter();
            opens.add(() -> limiter.openStream("acme"));
        }
        List<StreamPermit> permits = new ArrayList<>();
        try (ExecutorService burst = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<StreamPermit> open : burst.invokeAll(opens)) {
                permits.add(open.get()); // every one admitted: no 5xx, no refusal
            }
        }
        assertThat(admin.sync().zcard(RedisKeys.streamPermits("acme"))).isEqualTo(5000);
        // Beyond two leases (3 s each): every one is still counted, none ran out.
        await().pollDelay(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(8)).until(() -> true);
        assertThat(admin.sync()
                        .zcount(
                                RedisKeys.streamPermits("acme"),
                                io.lettuce.core.Range.create((double) System.currentTimeMillis(), Double.MAX_VALUE)))
                .isEqualTo(5000);
        assertThatThrownBy(() -> one.limiter().openStream("acme"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("too_many_streams"));
        permits.forEach(StreamPermit::close);
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.sync().exists(RedisKeys.streamPermits("acme")) == 0);
    }

    @Test
    void budgetsAreCheckedInTheSameCall() {
        Instance one = instance(Map.of("daily-budget-usd", "1"));
        String day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        admin.sync().hset(RedisKeys.usageDay("acme", day), RedisKeys.USAGE_TOTAL_COST_FIELD, "1.5");
        assertThatThrownBy(() -> one.limiter().admitQuery("acme", true))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("budget_exceeded"));
        assertThat(admin.sync().exists(RedisKeys.streamPermits("acme"), RedisKeys.rateLimiter("acme")))
                .isZero();
    }
}
