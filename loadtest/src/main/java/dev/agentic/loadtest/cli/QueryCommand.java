package dev.agentic.loadtest.cli;

import dev.agentic.model.SseFrameReader;
import dev.agentic.model.WireCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code query [--agent A] [--json | --raw] [--] TEXT}: sends TEXT to agent A through the public
 * URL. By default renders the stream (text on stdout, other events on stderr, exit 3 on an error
 * event); {@code --raw} copies the SSE bytes as they arrive; {@code --json} waits for the JSON answer.
 */
final class QueryCommand {
    static final String USAGE = "usage: bin/agentic query [--agent A] [--json | --raw] [--] TEXT";

    private enum Mode {
        RENDER,
        RAW,
        JSON
    }

    private final PrintStream out;
    private final PrintStream err;

    QueryCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args, ServerSupplier server) {
        String agent = "math";
        Mode mode = Mode.RENDER;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!words.isEmpty()) {
                words.add(arg);
            } else if (arg.equals("--")) {
                words.addAll(args.subList(i + 1, args.size()));
                break;
            } else if (arg.equals("--agent")) {
                if (i + 1 >= args.size()) {
                    throw new CliFailure("--agent needs a name");
                }
                agent = args.get(++i);
            } else if (arg.startsWith("--agent=")) {
                agent = arg.substring("--agent=".length());
            } else if (arg.equals("--json")) {
                mode = Mode.JSON;
            } else if (arg.equals("--raw")) {
                mode = Mode.RAW;
            } else if (arg.startsWith("-")) {
                throw new CliFailure("query: unknown option '" + arg + "' (see bin/agentic help)");
            } else {
                words.add(arg);
            }
        }
        String text = String.join(" ", words);
        if (text.isEmpty()) {
            throw new CliFailure(USAGE);
        }
        return send(server.get(), text, agent, mode);
    }

    private int send(Server server, String text, String agent, Mode mode) {
        String body = WireCodec.toJson(Map.of("query", text, "agent_type", agent));
        String accept = mode == Mode.JSON ? "application/json" : "text/event-stream";
        HttpResponse<InputStream> response = server.post(
                "/api/v1/query",
                "application/json",
                accept,
                HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        try (InputStream in = response.body()) {
            if (mode == Mode.RENDER && Server.isSuccess(response)) {
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                boolean failed = new AnswerRenderer(out, err).render(SseFrameReader.of(reader));
                return failed ? AgenticCli.ERROR_EVENT : AgenticCli.OK;
            }
            copy(in, mode == Mode.RAW);
        } catch (IOException | UncheckedIOException e) {
            throw new CliFailure("reading the answer from " + response.uri() + " failed: " + e.getMessage());
        }
        if (!Server.isSuccess(response)) {
            throw Server.refused(response);
        }
        return AgenticCli.OK;
    }

    /** Copies the body as it arrives; ends with a newline if it did not (a JSON answer has none). */
    private void copy(InputStream in, boolean live) throws IOException {
        byte[] buffer = new byte[8192];
        int last = '\n';
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            if (n > 0) {
                out.write(buffer, 0, n);
                last = buffer[n - 1];
                if (live) {
                    out.flush();
                }
            }
        }
        if (last != '\n') {
            out.println();
        }
        out.flush();
    }

    /** The server, built only once the arguments are known to be valid. */
    interface ServerSupplier {
        Server get();
    }
}
