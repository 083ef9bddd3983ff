package dev.agentic.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} on a free loopback port with its own data folder. It can be killed
 * with SIGKILL and restarted on the same port and folder (AOF on) for failure tests.
 */
public final class RedisServer implements AutoCloseable {
    /**
     * The memory settings {@code bin/agentic} runs Redis with: a ceiling, and {@code noeviction} so
     * that at the ceiling Redis refuses writes instead of dropping keys (docs/guarantees.md).
     */
    public static final List<String> BOUNDED_MEMORY = List.of("--maxmemory", "1gb", "--maxmemory-policy", "noeviction");

    private final Path binary;
    private final Path dataDir;
    private final int port;
    private final boolean appendOnly;
    private final List<String> extraArgs;
    private @Nullable Process process;

    private RedisServer(Path binary, Path dataDir, int port, boolean appendOnly, List<String> extraArgs) {
        this.binary = binary;
        this.dataDir = dataDir;
        this.port = port;
        this.appendOnly = appendOnly;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** A throwaway server: no persistence. */
    public static RedisServer start() {
        return start(false, List.of());
    }

    /**
     * @param appendOnly AOF with {@code appendfsync everysec}, so {@link #restart()} keeps data
     * @param extraArgs more {@code --name value} arguments, e.g. {@code --requirepass}
     */
    public static RedisServer start(boolean appendOnly, List<String> extraArgs) {
        Path binary = Binaries.require("redis-server", "redis-server");
        try {
            Path dir = Files.createTempDirectory("agentic-redis-");
            RedisServer server = new RedisServer(binary, dir, FreePorts.next(), appendOnly, extraArgs);
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Whether the process was started and not killed or closed since (it may have exited by itself). */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return running().pid();
    }

    /** SIGKILL: no shutdown save, clients see the connection drop. */
    public void kill() {
        Process p = running();
        p.destroyForcibly();
        awaitExit(p);
        process = null;
    }

    /** Starts again on the same port and data folder. */
    public void restart() {
        if (process != null) {
            kill();
        }
        launch();
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            if (!awaitExit(process)) {
                process.destroyForcibly();
                awaitExit(process);
            }
            process = null;
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dataDir.toString(),
                "--save",
                "",
                "--appendonly",
                appendOnly ? "yes" : "no",
                "--appendfsync",
                "everysec",
                "--protected-mode",
                "no",
                "--logfile",
                dataDir.resolve("redis.log").toString()));
        command.addAll(extraArgs);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dataDir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
        Process started = process;
        Waits.until("redis-server on port " + port, Duration.ofSeconds(10), () -> {
            if (!started.isAlive()) {
                throw new IllegalStateException("redis-server exited; see " + dataDir.resolve("redis.log"));
            }
            return Waits.portOpen(port);
        });
    }

    private Process running() {
        if (process == null) {
            throw new IllegalStateException("redis-server is not running");
        }
        return process;
    }

    private static boolean awaitExit(Process p) {
        try {
            return p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
