package dev.agentic.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster on loopback: {@code masters} {@code redis-server} processes in cluster mode
 * (AOF on, node timeout 2 s so a failover takes seconds), with {@code replicasPerMaster} replicas
 * each, joined by {@code redis-cli --cluster create} as an operator would. Nodes can be killed with
 * SIGKILL and restarted, to test failover.
 */
public final class RedisCluster implements AutoCloseable {
    /** The node timeout: how long a master may be unreachable before its replica takes over. */
    public static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);

    private final List<RedisServer> nodes;
    private final Path cli;

    private RedisCluster(List<RedisServer> nodes, Path cli) {
        this.nodes = List.copyOf(nodes);
        this.cli = cli;
    }

    /** Starts the nodes, creates the cluster and waits until every node reports it healthy. */
    public static RedisCluster start(int masters, int replicasPerMaster) {
        if (masters < 3) {
            throw new IllegalArgumentException("redis-cli --cluster create needs at least 3 masters");
        }
        Path cli = Binaries.require("redis-cli", "redis-tools");
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
                nodes.add(RedisServer.start(
                        true,
                        List.of(
                                "--cluster-enabled",
                                "yes",
                                "--cluster-config-file",
                                "nodes.conf",
                                "--cluster-node-timeout",
                                String.valueOf(NODE_TIMEOUT.toMillis()))));
            }
            RedisCluster cluster = new RedisCluster(nodes, cli);
            List<String> create = new ArrayList<>(List.of("--cluster", "create"));
            nodes.forEach(node -> create.add("127.0.0.1:" + node.port()));
            create.addAll(List.of("--cluster-replicas", String.valueOf(replicasPerMaster), "--cluster-yes"));
            cluster.cli(Duration.ofSeconds(60), create);
            cluster.awaitHealthy(Duration.ofSeconds(30));
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw e;
        }
    }

    /** Every node, masters and replicas, in start order. */
    public List<RedisServer> nodes() {
        return nodes;
    }

    /** A seed URI for cluster clients: any node will do, the client discovers the rest. */
    public String uri() {
        return nodes.get(0).uri();
    }

    /** The ports of the nodes that are masters now (a failover changes them). */
    public List<Integer> masterPorts() {
        return nodes.stream()
                .filter(node -> isUp(node) && info(node, "replication").contains("role:master"))
                .map(RedisServer::port)
                .toList();
    }

    /** The node serving {@code key}'s slot now. */
    public RedisServer ownerOf(String key) {
        int slot = Integer.parseInt(
                redisCli(nodes.get(0), "CLUSTER", "KEYSLOT", key).strip());
        for (RedisServer node : nodes) {
            if (isUp(node) && info(node, "replication").contains("role:master") && servesSlot(node, slot)) {
                return node;
            }
        }
        throw new IllegalStateException("no live master serves slot " + slot);
    }

    /**
     * Waits until every live node says {@code cluster_state:ok} with all 16,384 slots served, and every
     * live replica's link to its master is up (it has synced).
     */
    public void awaitHealthy(Duration timeout) {
        Waits.until(
                "a healthy Redis Cluster",
                timeout,
                () -> nodes.stream().filter(RedisCluster::isUp).allMatch(node -> {
                    String info = redisCli(node, "CLUSTER", "INFO");
                    String replication = info(node, "replication");
                    return info.contains("cluster_state:ok")
                            && info.contains("cluster_slots_ok:16384")
                            && (replication.contains("role:master") || replication.contains("master_link_status:up"));
                }));
    }

    /** {@code redis-cli --cluster ...} against this cluster (e.g. {@code reshard}), returning its output. */
    public String cli(Duration timeout, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(cli.toString()));
        command.addAll(arguments);
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-cli did not finish: " + command);
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "redis-cli failed (" + process.exitValue() + "): " + command + "\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One command on one node through {@code redis-cli}, returning its raw reply. */
    public String redisCli(RedisServer node, String... arguments) {
        List<String> command = new ArrayList<>(List.of("-h", "127.0.0.1", "-p", String.valueOf(node.port())));
        command.addAll(List.of(arguments));
        return cli(Duration.ofSeconds(10), command);
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }

    private String info(RedisServer node, String section) {
        return redisCli(node, "INFO", section);
    }

    private boolean servesSlot(RedisServer node, int slot) {
        String myself = redisCli(node, "CLUSTER", "NODES")
                .lines()
                .filter(line -> line.contains("myself"))
                .findFirst()
                .orElse("");
        String[] fields = myself.split(" ");
        for (int i = 8; i < fields.length; i++) {
            String range = fields[i];
            if (range.startsWith("[")) {
                continue; // a slot being migrated or imported
            }
            int dash = range.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            int to = Integer.parseInt(dash < 0 ? range : range.substring(dash + 1));
            if (slot >= from && slot <= to) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUp(RedisServer node) {
        return node.isRunning() && Waits.portOpen(node.port());
    }
}
