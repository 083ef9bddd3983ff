package dev.agentic.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentic.model.Job;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.RequestId;
import dev.agentic.model.WireCodec;
import dev.agentic.testsupport.RedisCluster;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisConnector#cluster}'s three kinds of connection on a real 3-master Redis Cluster: the
 * shared one routes each command to its key's master, a blocking read waits its block out and
 * returns empty rather than timing out, and pub/sub hears a publish made through another node.
 */
class RedisConnectorClusterTest {
    @Test
    void sharedBlockingAndPubSubConnectionsWorkOnACluster() throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 0);
                RedisConnector connector = RedisConnector.cluster(
                        new RedisSettings(cluster.uri(), Duration.ofSeconds(2), Duration.ofSeconds(2)))) {
            RedisLink shared = connector.connect();
            for (Lane lane : Lane.values()) {
                JobQueue.ensureGroup(shared.sync(), lane);
            }
            long now = System.currentTimeMillis();
            Job job = new Job(
                    1, RequestId.newId(), "acme", "math", "1+1", null, Lane.INTERACTIVE, now, now + 60_000, null);
            JobQueue.enqueue(shared.sync(), job);

            RedisLink blocking = connector.connectForBlocking(Duration.ofSeconds(3));
            List<StreamMessage<String, String>> taken =
                    JobQueue.read(blocking.sync(), Lane.INTERACTIVE, "w1", 1, Duration.ofSeconds(3), false);
            assertThat(taken).hasSize(1);
            assertThat(WireCodec.decodeJob(taken.get(0).getBody().get(RedisKeys.JOB_FIELD))
                            .id())
                    .isEqualTo(job.id());
            // The block (3 s) is longer than the command timeout (2 s): the connection's covers both.
            long start = System.nanoTime();
            assertThat(JobQueue.read(blocking.sync(), Lane.BATCH, "w1", 1, Duration.ofSeconds(3), false))
                    .isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(2500));

            BlockingQueue<String> heard = new LinkedBlockingQueue<>();
            StatefulRedisPubSubConnection<String, String> pubSub = connector.connectPubSub();
            pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    heard.add(message);
                }
            });
            RedisSettings.subscribeWaiting(pubSub, RedisKeys.CANCEL_CHANNEL);
            shared.sync().publish(RedisKeys.CANCEL_CHANNEL, job.id());
            assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo(job.id());
        }
    }
}
