package dev.agentic.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** Finds the server binaries that tests start. */
public final class Binaries {
    private static final List<String> SEARCH_PATH =
            List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin");

    private Binaries() {}

    /**
     * The binary's path. Under {@code CI=true} a missing binary fails the test with the install
     * command; on a developer machine the test is skipped with the same hint.
     */
    public static Path require(String name, String debianPackage) {
        Optional<Path> found = find(name);
        if (found.isPresent()) {
            return found.get();
        }
        String hint = name + " is not installed. Install it with: apt-get install -y " + debianPackage
                + " (bin/agentic test does this for you when run as root).";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(hint);
        }
        Assumptions.abort(hint);
        throw new AssertionError("unreachable");
    }

    static Optional<Path> find(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return java.util.stream.Stream.concat(
                        java.util.Arrays.stream(path.split(":")).filter(p -> !p.isBlank()), SEARCH_PATH.stream())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
