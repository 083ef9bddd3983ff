package dev.agentic.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The local cluster the cluster-mode tests run on: real nodes, a real failover. */
class RedisClusterTest {
    @Test
    void threeMastersWithAReplicaEachServeEverySlotAndAKilledMastersReplicaTakesOver() {
        try (RedisCluster cluster = RedisCluster.start(3, 1)) {
            assertThat(cluster.nodes()).hasSize(6);
            assertThat(cluster.masterPorts()).hasSize(3);
            RedisServer first = cluster.nodes().get(0);
            assertThat(cluster.redisCli(first, "CLUSTER", "INFO")).contains("cluster_known_nodes:6");

            // Keys with one hash tag share a slot, hence a master.
            RedisServer owner = cluster.ownerOf("agentic:req:{abc}");
            assertThat(cluster.ownerOf("agentic:events:{abc}").port()).isEqualTo(owner.port());
            assertThat(cluster.redisCli(owner, "SET", "agentic:req:{abc}", "kept")
                            .strip())
                    .isEqualTo("OK");
            assertThat(cluster.redisCli(owner, "WAIT", "1", "2000").strip()).isEqualTo("1");

            long killed = System.nanoTime();
            owner.kill();
            cluster.awaitHealthy(Duration.ofSeconds(30));
            System.out.printf(
                    "RedisClusterTest: a killed master's replica served its slots after %d ms (node timeout %d ms)%n",
                    (System.nanoTime() - killed) / 1_000_000, RedisCluster.NODE_TIMEOUT.toMillis());
            RedisServer promoted = cluster.ownerOf("agentic:req:{abc}");
            assertThat(promoted.port()).isNotEqualTo(owner.port());
            assertThat(cluster.masterPorts()).hasSize(3);
            assertThat(cluster.redisCli(promoted, "GET", "agentic:req:{abc}").strip())
                    .as("the write the replica acknowledged survives the failover")
                    .isEqualTo("kept");
        }
    }

    @Test
    void refusesFewerThanThreeMasters() {
        assertThatThrownBy(() -> RedisCluster.start(2, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
