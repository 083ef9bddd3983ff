package dev.agentic.loadtest.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A few Redis commands over RESP on a plain socket (the load tools stay free of Redis client
 * libraries): {@code INFO} sections and simple commands. Not thread-safe; one per caller.
 */
final class RedisProbe implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RedisProbe(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends one command; returns a bulk or simple string reply as text, an integer as its digits. */
    String command(String... args) throws IOException {
        StringBuilder request =
                new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return reply();
    }

    private String reply() throws IOException {
        String line = line();
        return switch (line.charAt(0)) {
            case '+', ':' -> line.substring(1);
            case '-' -> throw new IOException("Redis: " + line.substring(1));
            case '$' -> bulk(Integer.parseInt(line.substring(1)));
            case '*' -> {
                int n = Integer.parseInt(line.substring(1));
                StringBuilder all = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    all.append(reply()).append('\n');
                }
                yield all.toString();
            }
            default -> throw new IOException("unexpected Redis reply: " + line);
        };
    }

    private String bulk(int length) throws IOException {
        if (length < 0) {
            return "";
        }
        byte[] data = in.readNBytes(length + 2);
        return new String(data, 0, length, StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("Redis closed the connection");
            }
            if (b != '\r') {
                buffer.write(b);
            }
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** Calls per command name (lower case) from {@code INFO commandstats}; commands run inside scripts included. */
    Map<String, Long> commandCalls() throws IOException {
        Map<String, Long> calls = new LinkedHashMap<>();
        for (String line : command("INFO", "commandstats").split("\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String fields = line.substring(line.indexOf(':') + 1);
                for (String field : fields.split(",")) {
                    if (field.startsWith("calls=")) {
                        calls.put(name, Long.parseLong(field.substring(6).strip()));
                    }
                }
            }
        }
        return calls;
    }

    /** Redis's own CPU time (used_cpu_user + used_cpu_sys of {@code INFO cpu}), in milliseconds. */
    double cpuMillis() throws IOException {
        double seconds = 0;
        for (String line : command("INFO", "cpu").split("\n")) {
            if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
                seconds +=
                        Double.parseDouble(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return seconds * 1000;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
