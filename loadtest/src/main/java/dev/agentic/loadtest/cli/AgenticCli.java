package dev.agentic.loadtest.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The Java half of {@code bin/agentic}: {@code query} and {@code ingest}, which talk HTTP to the
 * running stack. The script finds the JDK and runs this class from the loadtest jar:
 *
 * <pre>
 * java -cp loadtest-*-exec.jar -Dloader.main=dev.agentic.loadtest.cli.AgenticCli \
 *     org.springframework.boot.loader.launch.PropertiesLauncher [--url=URL] [--key-file=FILE] COMMAND ARGS...
 * </pre>
 *
 * {@code --url} defaults to {@code http://127.0.0.1:$AGENTIC_PORT} (8080). The API key is {@code
 * $AGENTIC_API_KEY}, else the contents of {@code --key-file} (the admin key {@code up} generated).
 * Output is UTF-8 whatever the locale. Exit codes: 0 done, 1 failed (message on stderr), 3 the
 * answer ended in an {@code error} event.
 */
public final class AgenticCli {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int ERROR_EVENT = 3;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    AgenticCli(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = new AgenticCli(out, err, System.getenv()).run(Arrays.asList(args));
        out.flush();
        System.exit(code);
    }

    /** Runs one command; returns its exit code. */
    int run(List<String> args) {
        String url = "http://127.0.0.1:" + env.getOrDefault("AGENTIC_PORT", "8080");
        String keyFile = Path.of(env.getOrDefault("AGENTIC_RUN_DIR", ".run"), "admin-key")
                .toString();
        int at = 0;
        for (; at < args.size() && args.get(at).startsWith("--"); at++) {
            String option = args.get(at);
            if (option.startsWith("--url=")) {
                url = option.substring("--url=".length());
            } else if (option.startsWith("--key-file=")) {
                keyFile = option.substring("--key-file=".length());
            } else {
                return fail(new CliFailure("unknown option '" + option + "'"));
            }
        }
        if (at >= args.size()) {
            return fail(new CliFailure("usage: AgenticCli [--url=URL] [--key-file=FILE] query|ingest ARGS..."));
        }
        String command = args.get(at);
        List<String> rest = args.subList(at + 1, args.size());
        String base = url;
        String file = keyFile;
        QueryCommand.ServerSupplier server = () -> new Server(base, apiKey(Path.of(file)));
        try {
            return switch (command) {
                case "query" -> new QueryCommand(out, err).run(rest, server);
                case "ingest" -> new IngestCommand(out, err).run(rest, server);
                default -> throw new CliFailure("unknown command '" + command + "' (query or ingest)");
            };
        } catch (CliFailure e) {
            return fail(e);
        } finally {
            out.flush();
        }
    }

    /** {@code $AGENTIC_API_KEY}, else the key file's first line. */
    private String apiKey(Path keyFile) {
        String key = env.getOrDefault("AGENTIC_API_KEY", "");
        if (!key.isEmpty()) {
            return key;
        }
        if (!Files.isReadable(keyFile)) {
            throw new CliFailure(
                    "no API key: start with 'bin/agentic up' (it writes " + keyFile + ") or set AGENTIC_API_KEY");
        }
        try {
            return Files.readString(keyFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new CliFailure("cannot read " + keyFile + ": " + e.getMessage());
        }
    }

    private int fail(CliFailure failure) {
        out.flush();
        err.println("agentic: " + failure.getMessage());
        err.flush();
        return failure.exitCode();
    }
}
