package dev.agentic.worker.agent.llm;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A langchain4j {@link HttpClient} on {@link HttpURLConnection} that streams on the calling thread:
 * {@link #execute(HttpRequest, ServerSentEventParser, ServerSentEventListener)} returns once the
 * stream has ended, and every line is read, parsed and handed to the listener on the caller's
 * thread. The JDK's {@code java.net.http.HttpClient} passes each line through its selector thread
 * and flow subscribers to another thread; this costs the worker most of its CPU per relayed token.
 *
 * <p>Connections are kept alive and reused (the JDK's keep-alive cache, {@code http.maxConnections}
 * per destination). The connect timeout bounds connecting, the read timeout every wait for data:
 * for the response headers and between two reads of a streamed body (a {@link TimeoutException}).
 * A status other than 2xx is an {@link HttpException} with the start of the body. Interrupting the
 * calling thread ends the stream: a virtual thread's blocked read closes the socket at once, a
 * platform thread's at its next read. Cancelling through the parsing handle on the reading thread
 * (from the listener) closes the connection; from another thread it ends the stream at its next
 * read.
 */
public final class BlockingHttpClient implements HttpClient {
    private static final Logger log = LoggerFactory.getLogger(BlockingHttpClient.class);

    /** The most bytes of an error response's body kept in the {@link HttpException}. */
    static final int ERROR_BODY_LIMIT = 16 * 1024;

    private final Duration connectTimeout;
    private final Duration readTimeout;

    BlockingHttpClient(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    public static BlockingHttpClientBuilder builder() {
        return new BlockingHttpClientBuilder();
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) throws HttpException {
        HttpURLConnection connection = null;
        try {
            connection = send(request);
            int status = connection.getResponseCode();
            if (!isSuccessful(status)) {
                throw new HttpException(status, errorBody(connection));
            }
            byte[] body;
            try (InputStream in = connection.getInputStream()) {
                body = in.readAllBytes();
            }
            return response(connection, status, body);
        } catch (SocketTimeoutException e) {
            disconnect(connection);
            throw timeout(e);
        } catch (IOException e) {
            disconnect(connection);
            throw new UncheckedIOException("HTTP " + request.method() + " " + request.url() + " failed", e);
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        Delivery delivery = new Delivery(listener);
        HttpURLConnection connection = null;
        try {
            connection = send(request);
            int status = connection.getResponseCode();
            if (!isSuccessful(status)) {
                delivery.onError(new HttpException(status, errorBody(connection)));
                return;
            }
            delivery.onOpen(response(connection, status, null));
            try (StreamBody body = new StreamBody(connection.getInputStream())) {
                parser.parse(body, delivery);
            }
            delivery.onClose();
        } catch (IOException | RuntimeException e) {
            disconnect(connection);
            delivery.onError(e);
        }
    }

    private HttpURLConnection send(HttpRequest request) throws IOException {
        if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
            throw new UnsupportedOperationException("multipart form data is not supported");
        }
        HttpURLConnection connection =
                (HttpURLConnection) URI.create(request.url()).toURL().openConnection(Proxy.NO_PROXY);
        connection.setConnectTimeout(millis(connectTimeout));
        connection.setReadTimeout(millis(readTimeout));
        connection.setUseCaches(false);
        connection.setInstanceFollowRedirects(false);
        connection.setRequestMethod(request.method().name());
        request.headers().forEach((name, values) -> values.forEach(v -> connection.addRequestProperty(name, v)));
        String body = request.body();
        if (body != null) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(bytes);
            }
        }
        return connection;
    }

    private static boolean isSuccessful(int status) {
        return status >= 200 && status < 300;
    }

    /** The start of an error response's body, at most {@link #ERROR_BODY_LIMIT} bytes. */
    private static String errorBody(HttpURLConnection connection) {
        try (InputStream in = connection.getErrorStream()) {
            if (in == null) {
                return "";
            }
            byte[] start = in.readNBytes(ERROR_BODY_LIMIT);
            if (in.read() >= 0) {
                connection.disconnect(); // more than the limit: not worth draining for keep-alive
            }
            return new String(start, StandardCharsets.UTF_8);
        } catch (IOException e) {
            connection.disconnect();
            return "(error body unreadable: " + e + ")";
        }
    }

    private static SuccessfulHttpResponse response(HttpURLConnection connection, int status, byte @Nullable [] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        connection.getHeaderFields().forEach((name, values) -> {
            if (name != null) { // the status line
                headers.put(name, values);
            }
        });
        SuccessfulHttpResponse.Builder response =
                SuccessfulHttpResponse.builder().statusCode(status).headers(headers);
        if (body != null) {
            response.body(body);
        }
        return response.build();
    }

    private static void disconnect(@Nullable HttpURLConnection connection) {
        if (connection != null) {
            connection.disconnect();
        }
    }

    private TimeoutException timeout(SocketTimeoutException cause) {
        // Without a cause: langchain4j maps an error by its root cause, which would hide the timeout.
        TimeoutException timeout = new TimeoutException("No data from the server for " + readTimeout);
        timeout.addSuppressed(cause);
        return timeout;
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
    }

    /**
     * A streamed body: reading stops once the stream is cancelled or the reading thread interrupted;
     * closing it on the reading thread closes the connection unless the body was read to its end
     * (then the connection goes back to the keep-alive cache).
     */
    private static final class StreamBody extends FilterInputStream {
        private final Thread reader = Thread.currentThread();
        /** Cancelled from another thread: the reader ends the body at its next read. */
        private volatile boolean cancelled;

        StreamBody(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            return hasEnded() ? -1 : super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return hasEnded() ? -1 : super.read(b, off, len);
        }

        /** Cancelled: the body ends here; interrupted: the connection is closed and the read fails. */
        private boolean hasEnded() throws IOException {
            if (reader.isInterrupted()) {
                super.close();
                throw new InterruptedIOException("interrupted while streaming");
            }
            return cancelled;
        }

        /**
         * Called by the parser at its end and by its parsing handle on cancel; the JDK's stream
         * locks out a close from another thread while a read blocks, so only the reader closes it.
         */
        @Override
        public void close() throws IOException {
            if (Thread.currentThread() == reader) {
                super.close();
            } else {
                cancelled = true;
            }
        }
    }

    /**
     * Passes events on to the listener, turns a read timeout into a {@link TimeoutException}, and
     * delivers at most one terminal call: {@code onClose} after a clean end, {@code onError} after a
     * failure. A listener's exception never stops the stream (as in langchain4j's clients).
     */
    private final class Delivery implements ServerSentEventListener {
        private final ServerSentEventListener listener;
        private boolean ended;

        Delivery(ServerSentEventListener listener) {
            this.listener = listener;
        }

        @Override
        public void onOpen(SuccessfulHttpResponse response) {
            quietly(() -> listener.onOpen(response));
        }

        @Override
        public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
            quietly(() -> listener.onEvent(event, context));
        }

        @Override
        public void onEvent(ServerSentEvent event) {
            quietly(() -> listener.onEvent(event));
        }

        @Override
        public void onError(Throwable error) {
            if (!ended) {
                ended = true;
                Throwable mapped = error instanceof SocketTimeoutException timeout ? timeout(timeout) : error;
                quietly(() -> listener.onError(mapped));
            }
        }

        @Override
        public void onClose() {
            if (!ended) {
                ended = true;
                quietly(listener::onClose);
            }
        }

        private static void quietly(Runnable call) {
            try {
                call.run();
            } catch (RuntimeException e) {
                // As in langchain4j's own clients: a listener's failure does not end the stream.
                log.warn("An SSE listener failed", e);
            }
        }
    }
}
