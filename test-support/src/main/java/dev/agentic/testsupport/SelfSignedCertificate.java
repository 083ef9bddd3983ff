package dev.agentic.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate for 127.0.0.1 and localhost made by the real {@code openssl}, as
 * {@code bin/agentic} makes one when TLS is asked for without a certificate.
 *
 * @param certificate the PEM certificate (its own issuer)
 * @param key the PEM private key
 */
public record SelfSignedCertificate(Path certificate, Path key) {

    public static SelfSignedCertificate create(Path dir) {
        Path openssl = Binaries.require("openssl", "openssl");
        Path certificate = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        List<String> command = List.of(
                openssl.toString(),
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout",
                key.toString(),
                "-out",
                certificate.toString());
        try {
            Files.createDirectories(dir);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("openssl.log").toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        "openssl could not make a certificate: " + Files.readString(dir.resolve("openssl.log")));
            }
            return new SelfSignedCertificate(certificate, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
