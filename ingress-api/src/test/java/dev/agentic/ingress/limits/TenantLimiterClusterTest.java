package dev.agentic.ingress.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisLink;
import dev.agentic.testsupport.RedisCluster;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The admission script and the lease renewal on a real 3-master Redis Cluster: a tenant's limiter
 * keys share its slot, so each call runs on the tenant's master, and tenants spread over masters.
 */
class TenantLimiterClusterTest {
    @Test
    void ratesStreamsAndLeasesHoldPerTenantOnTheTenantsMaster() {
        try (RedisCluster cluster = RedisCluster.start(3, 0)) {
            RedisClusterClient client = RedisClusterClient.create(cluster.uri());
            try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
                IngressProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                                "agentic.limits.rate-per-second", "1",
                                "agentic.limits.burst", "2",
                                "agentic.limits.max-streams", "1")))
                        .bindOrCreate("agentic", IngressProperties.class);
                RedisLink link = RedisLink.ofCluster(connection);
                SimpleMeterRegistry meters = new SimpleMeterRegistry();
                StreamLeases leases = new StreamLeases(link, properties, meters);
                LiveLimits live = new LiveLimits(link, properties);
                try {
                    TenantLimiter limiter = new TenantLimiter(link, live, leases, Clock.systemUTC(), meters);
                    Set<Integer> masters = new HashSet<>();
                    for (String tenant : List.of("acme", "globex", "initech", "umbrella", "hooli", "stark")) {
                        masters.add(
                                cluster.ownerOf(RedisKeys.rateLimiter(tenant)).port());
                        assertThat(cluster.ownerOf(RedisKeys.streamPermits(tenant))
                                        .port())
                                .as("the admission script's keys share the tenant's slot")
                                .isEqualTo(cluster.ownerOf(RedisKeys.rateLimiter(tenant))
                                        .port());

                        TenantLimiter.Admitted held = limiter.admitQuery(tenant, true);
                        assertThatThrownBy(() -> limiter.admitQuery(tenant, true))
                                .isInstanceOfSatisfying(
                                        ApiException.class,
                                        e -> assertThat(e.code()).isEqualTo("too_many_streams"));
                        leases.renewAll();
                        assertThat(connection.sync().zcard(RedisKeys.streamPermits(tenant)))
                                .isEqualTo(1);
                        held.close();
                        limiter.admitQuery(tenant, false).close(); // the burst's second place
                        assertThatThrownBy(() -> limiter.admitQuery(tenant, false))
                                .isInstanceOfSatisfying(
                                        ApiException.class,
                                        e -> assertThat(e.code()).isEqualTo("rate_limited"));
                    }
                    assertThat(masters).as("tenants spread over the masters").hasSizeGreaterThan(1);
                } finally {
                    leases.close();
                    live.close();
                }
            } finally {
                client.shutdown();
            }
        }
    }
}
