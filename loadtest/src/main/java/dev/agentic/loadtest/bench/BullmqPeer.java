package dev.agentic.loadtest.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The BullMQ peer ({@code loadtest/peers/bullmq}): its own redis-server with the stack's AOF
 * settings ({@code appendonly yes, appendfsync everysec, save ""}) and the Node server with its
 * workers. Installs its packages with {@code npm ci} when {@code node_modules} is missing.
 */
final class BullmqPeer implements AutoCloseable {
    private final Process redis;
    private final Process node;
    private final Path dataDir;
    private final int port;
    private final int redisPort;

    private BullmqPeer(Process redis, Process node, Path dataDir, int port, int redisPort) {
        this.redis = redis;
        this.node = node;
        this.dataDir = dataDir;
        this.port = port;
        this.redisPort = redisPort;
    }

    /** Why the peer cannot run here ("" when it can): node or npm missing, or no peer folder. */
    static String unavailable(Path dir) {
        if (!Files.isRegularFile(dir.resolve("peer.js"))) {
            return "no BullMQ peer at " + dir + " (give --peer-dir=loadtest/peers/bullmq)";
        }
        try {
            Procs.run(List.of("node", "--version"), 10);
            return "";
        } catch (IllegalStateException e) {
            return "node is not on the PATH (Node 20+ runs the BullMQ peer): " + e.getMessage();
        }
    }

    static BullmqPeer start(Path dir, int workers, int concurrency) throws IOException {
        if (!Files.isDirectory(dir.resolve("node_modules/bullmq"))) {
            ProcessBuilder npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile());
            npm.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            try {
                if (npm.start().waitFor() != 0) {
                    throw new IllegalStateException("npm ci failed in " + dir);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during npm ci", e);
            }
        }
        Path dataDir = Files.createTempDirectory("bench-bullmq-redis");
        int redisPort = freePort();
        Process redis = new ProcessBuilder(
                        "redis-server",
                        "--port",
                        Integer.toString(redisPort),
                        "--bind",
                        "127.0.0.1",
                        "--dir",
                        dataDir.toString(),
                        "--appendonly",
                        "yes",
                        "--appendfsync",
                        "everysec",
                        "--save",
                        "",
                        "--daemonize",
                        "no",
                        "--maxmemory",
                        "1gb",
                        "--maxmemory-policy",
                        "noeviction")
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("redis.log").toFile())
                .start();
        awaitRedis(redisPort);
        int port = freePort();
        ProcessBuilder peer = new ProcessBuilder("node", "peer.js").directory(dir.toFile());
        peer.environment().put("PORT", Integer.toString(port));
        peer.environment().put("REDIS_PORT", Integer.toString(redisPort));
        peer.environment().put("WORKERS", Integer.toString(workers));
        peer.environment().put("CONCURRENCY", Integer.toString(concurrency));
        Process node = peer.redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("peer.log").toFile())
                .start();
        BullmqPeer started = new BullmqPeer(redis, node, dataDir, port, redisPort);
        started.awaitHealthy();
        return started;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    int redisPort() {
        return redisPort;
    }

    List<Procs.Proc> processes() {
        return List.of(
                new Procs.Proc("bullmq-node", "peer", node.pid()), new Procs.Proc("bullmq-redis", "peer", redis.pid()));
    }

    private void awaitHealthy() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create(url() + "/health"))
                .timeout(Duration.ofSeconds(2))
                .build();
        while (System.nanoTime() < deadline) {
            if (!node.isAlive()) {
                throw new IOException("the BullMQ peer exited: " + Files.readString(dataDir.resolve("peer.log")));
            }
            if (Http.send(health).status() == 200) {
                return;
            }
            pause();
        }
        throw new IOException("the BullMQ peer did not answer /health within 60 s");
    }

    private static void awaitRedis(int port) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (RedisProbe probe = new RedisProbe(port)) {
                probe.command("PING");
                return;
            } catch (IOException e) {
                last = e;
                pause();
            }
        }
        throw new IOException("the peer's redis-server did not start", last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(node);
        stop(redis);
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("bench: could not remove " + dataDir + ": " + e.getMessage());
        }
    }

    private static void stop(@Nullable Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
