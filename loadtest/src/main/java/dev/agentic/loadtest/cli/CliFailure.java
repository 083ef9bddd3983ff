package dev.agentic.loadtest.cli;

/** Ends the command with a message on stderr ({@code agentic: ...}) and an exit code. */
final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliFailure(String message) {
        this(message, AgenticCli.FAILED);
    }

    CliFailure(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
