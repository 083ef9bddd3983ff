package dev.agentic.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Nginx rendered from the project's {@code nginx/agentic.conf.template}, proxying to the given
 * ingress ports, in a private prefix folder.
 */
public final class NginxServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path prefix;

    private NginxServer(Process process, int port, Path prefix) {
        this.process = process;
        this.port = port;
        this.prefix = prefix;
    }

    /**
     * What one client address may send through Nginx (the template's {@code CLIENT_*} placeholders);
     * beyond it Nginx answers 429 problem+json before anything reaches the ingress.
     *
     * @param requestsPerSecond average requests per second
     * @param burst requests above the rate accepted at once
     * @param connections connections held at once (open streams included)
     */
    public record ClientLimits(int requestsPerSecond, int burst, int connections) {
        /** The defaults {@code bin/agentic} renders (docs/security.md). */
        public static final ClientLimits DEFAULTS = new ClientLimits(1000, 2000, 5000);

        /** For test stacks whose load all comes from 127.0.0.1: far above any of them. */
        public static final ClientLimits TEST_STACK = new ClientLimits(100_000, 100_000, 15_000);

        public ClientLimits {
            if (requestsPerSecond < 1 || burst < 0 || connections < 1) {
                throw new IllegalArgumentException("client limits must be positive");
            }
        }
    }

    /** Nginx with the {@link ClientLimits#DEFAULTS}. */
    public static NginxServer start(Path template, List<Integer> upstreamPorts) {
        return start(template, upstreamPorts, ClientLimits.DEFAULTS);
    }

    public static NginxServer start(Path template, List<Integer> upstreamPorts, ClientLimits limits) {
        Path nginx = Binaries.require("nginx", "nginx-light");
        int port = FreePorts.next();
        try {
            Path prefix = Files.createTempDirectory("agentic-nginx-");
            Path conf = render(template, prefix, port, upstreamPorts, limits);
            Process process = new ProcessBuilder(nginx.toString(), "-p", prefix.toString(), "-c", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(prefix.resolve("stdout.log").toFile())
                    .start();
            Waits.until("nginx on port " + port, Duration.ofSeconds(10), () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx exited; see " + prefix.resolve("stdout.log"));
                }
                return Waits.portOpen(port);
            });
            return new NginxServer(process, port, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fills the template's placeholders; the same ones {@code bin/agentic} fills. */
    static Path render(Path template, Path prefix, int port, List<Integer> upstreamPorts, ClientLimits limits)
            throws IOException {
        // Started as root, Nginx's workers run as "nobody": they must reach and write the temp folder.
        Files.setPosixFilePermissions(prefix, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tmp = Files.createDirectories(prefix.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        String servers = upstreamPorts.stream()
                .map(p -> "server 127.0.0.1:" + p + " max_fails=1 fail_timeout=2s;")
                .collect(Collectors.joining("\n    "));
        String conf = Files.readString(template)
                .replace("{{PREFIX}}", prefix.toString())
                .replace("{{TEMP}}", tmp.toString())
                .replace("{{LISTEN}}", "127.0.0.1:" + port)
                .replace("{{UPSTREAM_SERVERS}}", servers)
                .replace("{{CLIENT_RATE}}", String.valueOf(limits.requestsPerSecond()))
                .replace("{{CLIENT_BURST}}", String.valueOf(limits.burst()))
                .replace("{{CLIENT_CONNECTIONS}}", String.valueOf(limits.connections()));
        return Files.writeString(prefix.resolve("nginx.conf"), conf);
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path prefix() {
        return prefix;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
