package dev.agentic.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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

    private final Optional<Integer> tlsPort;

    private NginxServer(Process process, int port, Path prefix, Optional<Integer> tlsPort) {
        this.process = process;
        this.port = port;
        this.prefix = prefix;
        this.tlsPort = tlsPort;
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

    /** Where Nginx sends requests: a fixed list of ingress ports, or a DNS name looked up again and again. */
    public sealed interface Upstreams {
        /** The template's {@code # upstream-list} mode: 127.0.0.1 and these ports. */
        record Listed(List<Integer> ports) implements Upstreams {
            public Listed {
                ports = List.copyOf(ports);
            }
        }

        /**
         * The template's {@code # upstream-dns} mode (compose/): {@code nameAndPort} resolved through the
         * DNS server at {@code resolver} ({@code host:port}).
         */
        record Resolved(String resolver, String nameAndPort) implements Upstreams {}
    }

    /** The template's {@code # tls} lines: the server also listens with TLS and HTTP/2 on {@code port}. */
    public record Tls(int port, Path certificate, Path key) {}

    /**
     * Everything a rendering fills in.
     *
     * @param adminAllow addresses or CIDRs allowed to reach {@code /api/v1/admin}
     * @param tls empty: no TLS listener
     */
    public record Options(Upstreams upstreams, ClientLimits limits, List<String> adminAllow, Optional<Tls> tls) {
        /** The addresses bin/agentic allows to the admin endpoints by default. */
        public static final List<String> LOOPBACK = List.of("127.0.0.1", "::1");

        public Options {
            adminAllow = List.copyOf(adminAllow);
            if (adminAllow.isEmpty()) {
                throw new IllegalArgumentException("allow at least one address to the admin endpoints");
            }
        }

        /** bin/agentic's defaults in front of these ingress ports. */
        public static Options listed(List<Integer> ports) {
            return new Options(new Upstreams.Listed(ports), ClientLimits.DEFAULTS, LOOPBACK, Optional.empty());
        }

        /** bin/agentic's defaults in front of the addresses a DNS server gives for a name. */
        public static Options resolved(String resolver, String nameAndPort) {
            return new Options(
                    new Upstreams.Resolved(resolver, nameAndPort), ClientLimits.DEFAULTS, LOOPBACK, Optional.empty());
        }

        public Options withLimits(ClientLimits newLimits) {
            return new Options(upstreams, newLimits, adminAllow, tls);
        }

        public Options withAdminAllow(List<String> addresses) {
            return new Options(upstreams, limits, addresses, tls);
        }

        public Options withTls(Tls newTls) {
            return new Options(upstreams, limits, adminAllow, Optional.of(newTls));
        }
    }

    /** Nginx with the {@link ClientLimits#DEFAULTS}. */
    public static NginxServer start(Path template, List<Integer> upstreamPorts) {
        return start(template, Options.listed(upstreamPorts));
    }

    public static NginxServer start(Path template, List<Integer> upstreamPorts, ClientLimits limits) {
        return start(template, Options.listed(upstreamPorts).withLimits(limits));
    }

    public static NginxServer start(Path template, Options options) {
        Path nginx = Binaries.require("nginx", "nginx-light");
        int port = FreePorts.next();
        try {
            Path prefix = Files.createTempDirectory("agentic-nginx-");
            // Started as root, Nginx's workers run as "nobody": they must reach and write the temp folder.
            Files.setPosixFilePermissions(prefix, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path tmp = Files.createDirectories(prefix.resolve("tmp"));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
            String conf =
                    render(Files.readString(template), prefix.toString(), tmp.toString(), "127.0.0.1:" + port, options);
            Path confFile = Files.writeString(prefix.resolve("nginx.conf"), conf);
            Process process = new ProcessBuilder(nginx.toString(), "-p", prefix.toString(), "-c", confFile.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(prefix.resolve("stdout.log").toFile())
                    .start();
            Waits.until("nginx on port " + port, Duration.ofSeconds(10), () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx exited; see " + prefix.resolve("stdout.log"));
                }
                return Waits.portOpen(port);
            });
            return new NginxServer(process, port, prefix, options.tls().map(Tls::port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The template with the lines of the modes not chosen dropped and the placeholders filled: what
     * {@code bin/agentic} does too (bin/lib/stack.sh's write_nginx_conf).
     */
    public static String render(String template, String prefix, String temp, String listen, Options options) {
        Set<String> dropped = new HashSet<>(Set.of("# upstream-list", "# upstream-dns", "# tls"));
        dropped.remove(options.upstreams() instanceof Upstreams.Listed ? "# upstream-list" : "# upstream-dns");
        options.tls().ifPresent(tls -> dropped.remove("# tls"));
        String kept = template.lines()
                .filter(line -> dropped.stream().noneMatch(line.stripTrailing()::endsWith))
                .collect(Collectors.joining("\n", "", "\n"));
        String conf = kept.replace("{{PREFIX}}", prefix)
                .replace("{{TEMP}}", temp)
                .replace("{{LISTEN}}", listen)
                .replace("{{CLIENT_RATE}}", String.valueOf(options.limits().requestsPerSecond()))
                .replace("{{CLIENT_BURST}}", String.valueOf(options.limits().burst()))
                .replace(
                        "{{CLIENT_CONNECTIONS}}",
                        String.valueOf(options.limits().connections()))
                .replace(
                        "{{ADMIN_ALLOW}}",
                        options.adminAllow().stream()
                                .map(a -> "allow " + a + ";")
                                .collect(Collectors.joining(" ")));
        switch (options.upstreams()) {
            case Upstreams.Listed listed ->
                conf = conf.replace(
                        "{{UPSTREAM_SERVERS}}",
                        listed.ports().stream()
                                .map(p -> "server 127.0.0.1:" + p + " max_fails=1 fail_timeout=2s;")
                                .collect(Collectors.joining("\n        ")));
            case Upstreams.Resolved resolved ->
                conf = conf.replace("{{RESOLVER}}", resolved.resolver())
                        .replace("{{DNS_UPSTREAM}}", resolved.nameAndPort());
        }
        if (options.tls().isPresent()) {
            Tls tls = options.tls().get();
            conf = conf.replace("{{TLS_LISTEN}}", listen.substring(0, listen.lastIndexOf(':') + 1) + tls.port())
                    .replace("{{TLS_CERT}}", tls.certificate().toString())
                    .replace("{{TLS_KEY}}", tls.key().toString());
        }
        if (conf.contains("{{")) {
            throw new IllegalStateException("a placeholder is left unfilled: " + conf.substring(conf.indexOf("{{")));
        }
        return conf;
    }

    /**
     * compose/nginx/nginx.conf: the template in its DNS mode, behind Docker's embedded DNS
     * (127.0.0.11) and the compose service {@code ingress} on its port 8081, logs to the official
     * image's /var/log/nginx (linked to the container's stdout and stderr), admin endpoints open to
     * loopback and the private networks compose's own network is on.
     */
    public static String renderForCompose(String template) {
        Options options = Options.resolved("127.0.0.11", "ingress:8081")
                .withAdminAllow(List.of("127.0.0.1", "::1", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"));
        String header = "# Rendered from nginx/agentic.conf.template (its upstream-dns mode) by\n"
                + "# NginxFrontTest.composeUsesTheTemplateRenderedInItsDnsMode: edit the template, not this file.\n";
        return header + render(template, "/var/log/nginx", "/tmp", "0.0.0.0:8080", options);
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The TLS listener's URL ({@code https://127.0.0.1:port}); only with {@link Options#withTls}. */
    public String tlsUrl() {
        return "https://127.0.0.1:" + tlsPort.orElseThrow(() -> new IllegalStateException("started without TLS"));
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
