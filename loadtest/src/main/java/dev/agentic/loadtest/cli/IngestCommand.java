package dev.agentic.loadtest.cli;

import dev.agentic.model.EventType;
import dev.agentic.model.SseFrame;
import dev.agentic.model.SseFrameReader;
import dev.agentic.model.StreamEvent;
import dev.agentic.model.WireCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code ingest [--quiet] PATH...}: adds each file, or every {@code .md}/{@code .markdown}/{@code
 * .txt} under each directory (in path order), to the knowledge base through {@code POST
 * /api/v1/documents}, one after the other. The document id is the path as given, so ingesting it
 * again replaces the document; the title is the file's first {@code # } heading, else its name.
 */
final class IngestCommand {
    static final String USAGE = "usage: bin/agentic ingest [--quiet] PATH... (files or directories of .md/.txt)";

    private final PrintStream out;
    private final PrintStream err;

    IngestCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args, QueryCommand.ServerSupplier server) {
        boolean quiet = false;
        List<Path> files = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--quiet")) {
                quiet = true;
            } else if (arg.startsWith("-")) {
                throw new CliFailure("ingest: unknown option '" + arg + "' (see bin/agentic help)");
            } else {
                files.addAll(documents(Path.of(arg)));
            }
        }
        if (files.isEmpty()) {
            throw new CliFailure(USAGE);
        }
        Server target = server.get();
        int failed = 0;
        for (Path file : files) {
            if (!ingest(target, file, quiet)) {
                failed++;
            }
        }
        if (quiet) {
            int done = files.size() - failed;
            out.println("Ingested " + done + " document" + (done == 1 ? "" : "s") + " into the knowledge base.");
        }
        out.flush();
        if (failed > 0) {
            throw new CliFailure(failed + " of " + files.size() + " documents were not ingested");
        }
        return AgenticCli.OK;
    }

    /** The file itself, or the documents under a directory sorted by path. */
    static List<Path> documents(Path path) {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new CliFailure("ingest: no such file or directory: " + path);
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile)
                    .filter(IngestCommand::isDocument)
                    .sorted((a, b) -> a.toString().compareTo(b.toString()))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new CliFailure("ingest: cannot read " + path + ": " + e.getMessage());
        }
    }

    private static boolean isDocument(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".md") || name.endsWith(".markdown") || name.endsWith(".txt");
    }

    /** Posts one document; prints the server's summary (unless quiet) or warns. True on success. */
    private boolean ingest(Server server, Path file, boolean quiet) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            err.println("agentic: ingest " + file + ": cannot read it: " + e.getMessage());
            return false;
        }
        String id = id(file);
        String type = file.toString().endsWith(".txt") ? "text/plain" : "text/markdown";
        String path = "/api/v1/documents?id=" + encode(id) + "&title=" + encode(title(file, content));
        HttpResponse<InputStream> response = server.post(
                path, type + "; charset=utf-8", "text/event-stream", HttpRequest.BodyPublishers.ofByteArray(content));
        String summary;
        boolean ok;
        try (InputStream in = response.body()) {
            SseFrameReader frames =
                    SseFrameReader.of(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
            if (!Server.isSuccess(response)) {
                summary = "HTTP " + response.statusCode() + ": "
                        + frames.remainingText().strip();
                ok = false;
            } else {
                Outcome outcome = outcome(frames);
                summary = outcome.summary();
                ok = outcome.ok();
            }
        } catch (IOException | UncheckedIOException e) {
            summary = "reading the answer failed: " + e.getMessage();
            ok = false;
        }
        if (!ok) {
            err.println("agentic: ingest " + id + ": " + summary);
        } else if (!quiet) {
            out.println(summary);
        }
        return ok;
    }

    private record Outcome(boolean ok, String summary) {}

    /** The stream ends with done (the summary is in the tokens) or error (code and message). */
    private static Outcome outcome(SseFrameReader frames) {
        StringBuilder text = new StringBuilder();
        for (SseFrame frame = frames.next(); frame != null; frame = frames.next()) {
            if (frame.event().equals(EventType.TOKEN.wireName())) {
                StreamEvent event = WireCodec.decodeEvent(EventType.TOKEN, frame.data());
                if (event instanceof StreamEvent.Token token) {
                    text.append(token.text());
                }
            } else if (frame.event().equals(EventType.ERROR.wireName())) {
                StreamEvent event = WireCodec.decodeEvent(EventType.ERROR, frame.data());
                if (event instanceof StreamEvent.Error error) {
                    return new Outcome(false, "ERROR " + error.code() + ": " + error.message());
                }
            } else if (frame.event().equals(EventType.DONE.wireName())) {
                return new Outcome(
                        true, text.isEmpty() ? "ingested" : text.toString().strip());
            }
        }
        return new Outcome(false, "the stream ended without done or error");
    }

    /** The path as given, without a leading "./". */
    static String id(Path file) {
        String id = file.toString();
        return id.startsWith("./") ? id.substring(2) : id;
    }

    /** The first "# " heading's text, else the file name. */
    static String title(Path file, byte[] content) {
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.startsWith("# ")) {
                String title = line.substring(2).strip();
                if (!title.isEmpty()) {
                    return title;
                }
            }
        }
        return file.getFileName().toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
