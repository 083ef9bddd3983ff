package dev.agentic.worker.agent.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.DefaultServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BlockingHttpClientTest {
    private final HttpServer server;
    /** The client port of each request the server answered: equal ports mean a reused connection. */
    private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();
    /** Released by the test when the server may go on. */
    private final CountDownLatch proceed = new CountDownLatch(1);
    /** Counted down when the server failed to write: the client closed the connection. */
    private final CountDownLatch serverSawClose = new CountDownLatch(1);

    BlockingHttpClientTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    @AfterEach
    void stopServer() {
        proceed.countDown();
        server.stop(0);
    }

    private void handle(String path, Handler handler) {
        server.createContext(path, exchange -> {
            clientPorts.add(exchange.getRemoteAddress().getPort());
            exchange.getRequestBody().readAllBytes();
            try (exchange) {
                handler.handle(exchange);
            } catch (IOException e) {
                serverSawClose.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    interface Handler {
        void handle(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Writes an event every 20 ms until the client goes away (or 10 s pass). */
    private static void keepWriting(OutputStream out) throws IOException, InterruptedException {
        for (int i = 0; i < 500; i++) {
            event(out, "more " + i);
            Thread.sleep(20);
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.builder()
                .method(HttpMethod.POST)
                .url("http://127.0.0.1:" + server.getAddress().getPort() + path)
                .addHeader("Content-Type", "application/json")
                .body("{\"stream\":true}")
                .build();
    }

    private static BlockingHttpClient client(Duration readTimeout) {
        return new BlockingHttpClientBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(readTimeout)
                .build();
    }

    /** What a listener saw, in order: "open 200", "event <data>", "close", "error <exception>". */
    private static final class Recorder implements ServerSentEventListener {
        final BlockingQueue<String> calls = new LinkedBlockingQueue<>();
        volatile @Nullable Throwable error;
        private final Consumer<ServerSentEventContext> onEvent;

        Recorder() {
            this(context -> {});
        }

        Recorder(Consumer<ServerSentEventContext> onEvent) {
            this.onEvent = onEvent;
        }

        @Override
        public void onOpen(SuccessfulHttpResponse response) {
            calls.add("open " + response.statusCode());
        }

        @Override
        public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
            calls.add("event " + event.data());
            onEvent.accept(context);
        }

        @Override
        public void onError(Throwable throwable) {
            error = throwable;
            calls.add("error " + throwable.getClass().getSimpleName());
        }

        @Override
        public void onClose() {
            calls.add("close");
        }

        String next() throws InterruptedException {
            String call = calls.poll(10, TimeUnit.SECONDS);
            assertThat(call).as("a listener call within 10 s").isNotNull();
            return call;
        }
    }

    /** Streams on a virtual thread of its own, as the worker's agents do. */
    private static Thread streamInBackground(BlockingHttpClient client, HttpRequest request, Recorder recorder) {
        return Thread.ofVirtual().start(() -> client.execute(request, new DefaultServerSentEventParser(), recorder));
    }

    @Test
    void deliversEachEventAsItArrivesInOrderThenCloses() throws Exception {
        handle("/stream", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            event(out, "one");
            proceed.await(); // the rest only once the client has shown it received "one"
            event(out, "two");
            event(out, "three");
        });
        Recorder recorder = new Recorder();
        Thread stream = streamInBackground(client(Duration.ofSeconds(5)), request("/stream"), recorder);

        assertThat(recorder.next()).isEqualTo("open 200");
        assertThat(recorder.next()).isEqualTo("event one");
        proceed.countDown();
        assertThat(recorder.next()).isEqualTo("event two");
        assertThat(recorder.next()).isEqualTo("event three");
        assertThat(recorder.next()).isEqualTo("close");
        assertThat(stream.join(Duration.ofSeconds(5))).isTrue();
        assertThat(recorder.calls).isEmpty();
    }

    @Test
    void streamsOnTheCallingThreadAndReturnsAtTheEnd() {
        handle("/stream", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            event(exchange.getResponseBody(), "only");
        });
        Thread caller = Thread.currentThread();
        List<Thread> listenerThreads = new CopyOnWriteArrayList<>();
        Recorder recorder = new Recorder(context -> listenerThreads.add(Thread.currentThread()));

        client(Duration.ofSeconds(5)).execute(request("/stream"), new DefaultServerSentEventParser(), recorder);

        assertThat(recorder.calls).containsExactly("open 200", "event only", "close");
        assertThat(listenerThreads).containsExactly(caller);
    }

    @Test
    void reportsAnErrorStatusAsHttpExceptionWithTheBody() {
        handle("/busy", exchange -> {
            byte[] body = "{\"error\":\"over capacity\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(429, body.length);
            exchange.getResponseBody().write(body);
        });
        Recorder recorder = new Recorder();

        client(Duration.ofSeconds(5)).execute(request("/busy"), new DefaultServerSentEventParser(), recorder);

        assertThat(recorder.calls).containsExactly("error HttpException");
        assertThat(recorder.error).isInstanceOfSatisfying(HttpException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(429);
            assertThat(e.getMessage()).isEqualTo("{\"error\":\"over capacity\"}");
        });
        assertThatThrownBy(() -> client(Duration.ofSeconds(5)).execute(request("/busy")))
                .isInstanceOfSatisfying(
                        HttpException.class, e -> assertThat(e.statusCode()).isEqualTo(429));
    }

    @Test
    void keepsOnlyTheStartOfALongErrorBody() {
        handle("/broken", exchange -> {
            byte[] body = "x".repeat(10 * BlockingHttpClient.ERROR_BODY_LIMIT).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
        });
        Recorder recorder = new Recorder();

        client(Duration.ofSeconds(5)).execute(request("/broken"), new DefaultServerSentEventParser(), recorder);

        assertThat(recorder.error).isInstanceOfSatisfying(HttpException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(500);
            assertThat(e.getMessage()).hasSize(BlockingHttpClient.ERROR_BODY_LIMIT);
        });
    }

    @Test
    void timesOutWhenTheServerFallsSilentMidStream() throws Exception {
        handle("/silent", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            event(exchange.getResponseBody(), "one");
            proceed.await(20, TimeUnit.SECONDS);
        });
        Recorder recorder = new Recorder();
        long start = System.nanoTime();

        client(Duration.ofMillis(300)).execute(request("/silent"), new DefaultServerSentEventParser(), recorder);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(recorder.calls).containsExactly("open 200", "event one", "error TimeoutException");
    }

    @Test
    void timesOutWhenTheResponseHeadersDoNotCome() {
        handle("/slow", exchange -> proceed.await(20, TimeUnit.SECONDS));
        Recorder recorder = new Recorder();

        client(Duration.ofMillis(300)).execute(request("/slow"), new DefaultServerSentEventParser(), recorder);

        assertThat(recorder.calls).containsExactly("error TimeoutException");
        assertThatThrownBy(() -> client(Duration.ofMillis(300)).execute(request("/slow")))
                .isInstanceOf(TimeoutException.class);
    }

    @Test
    void interruptingTheStreamingThreadClosesTheConnectionAtOnce() throws Exception {
        handle("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            event(out, "one");
            proceed.await(); // silent until the test has interrupted the client
            keepWriting(out);
        });
        Recorder recorder = new Recorder();
        Thread stream = streamInBackground(client(Duration.ofSeconds(20)), request("/endless"), recorder);
        assertThat(recorder.next()).isEqualTo("open 200");
        assertThat(recorder.next()).isEqualTo("event one");

        interruptAndExpectAPromptError(stream, recorder); // blocked in a read that would last 20 s
    }

    @Test
    void aStreamInterruptedBeforeTheResponseReturnsAtOnce() throws Exception {
        handle("/late", exchange -> {
            proceed.await();
            exchange.sendResponseHeaders(200, 0);
            keepWriting(exchange.getResponseBody());
        });
        Recorder recorder = new Recorder();
        Thread stream = streamInBackground(client(Duration.ofSeconds(20)), request("/late"), recorder);
        await().atMost(Duration.ofSeconds(5)).until(() -> clientPorts.size() == 1); // sent, waiting for headers

        interruptAndExpectAPromptError(stream, recorder);
        assertThat(clientPorts).hasSize(1); // never sent again
    }

    /** Interrupts the streaming thread: it returns within 2 s with an error, and the server sees the close. */
    private void interruptAndExpectAPromptError(Thread stream, Recorder recorder) throws Exception {
        stream.interrupt();
        assertThat(stream.join(Duration.ofSeconds(2)))
                .as("returned soon after the interrupt")
                .isTrue();
        assertThat(recorder.next()).startsWith("error ");
        proceed.countDown();
        assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void cancellingFromTheListenerClosesTheConnection() throws Exception {
        handle("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            keepWriting(exchange.getResponseBody());
        });
        Recorder recorder = new Recorder(context -> context.parsingHandle().cancel());

        client(Duration.ofSeconds(20)).execute(request("/endless"), new DefaultServerSentEventParser(), recorder);

        assertThat(recorder.calls).containsExactly("open 200", "event more 0", "close");
        assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void cancellingFromAnotherThreadEndsTheStreamAtItsNextRead() throws Exception {
        handle("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            keepWriting(exchange.getResponseBody());
        });
        BlockingQueue<ServerSentEventContext> contexts = new LinkedBlockingQueue<>();
        Recorder recorder = new Recorder(contexts::add);
        Thread stream = streamInBackground(client(Duration.ofSeconds(20)), request("/endless"), recorder);

        ServerSentEventContext first = contexts.poll(10, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        first.parsingHandle().cancel();

        assertThat(stream.join(Duration.ofSeconds(5))).isTrue();
        assertThat(serverSawClose.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.calls).doesNotContain("error IOException").endsWith("close");
        assertThat(recorder.calls.stream().filter(call -> call.startsWith("event")))
                .hasSizeLessThan(10);
    }

    @Test
    void reusesTheConnectionForTheNextRequest() {
        handle("/stream", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            event(exchange.getResponseBody(), "one");
            event(exchange.getResponseBody(), "[DONE]");
        });
        handle("/plain", exchange -> {
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        });
        BlockingHttpClient client = client(Duration.ofSeconds(5));

        for (int i = 0; i < 3; i++) {
            Recorder recorder = new Recorder();
            client.execute(request("/stream"), new DefaultServerSentEventParser(), recorder);
            assertThat(recorder.calls).containsExactly("open 200", "event one", "event [DONE]", "close");
        }
        assertThat(client.execute(request("/plain")).body()).isEqualTo("{}");

        assertThat(clientPorts).hasSize(4);
        assertThat(clientPorts).as("one connection for all requests").containsOnly(clientPorts.getFirst());
    }

    @Test
    void failsWithAnIoErrorWhenNothingListens() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Recorder recorder = new Recorder();
        HttpRequest request = HttpRequest.builder()
                .method(HttpMethod.POST)
                .url("http://127.0.0.1:" + port + "/v1")
                .body("{}")
                .build();

        client(Duration.ofSeconds(5)).execute(request, new DefaultServerSentEventParser(), recorder);

        assertThat(recorder.calls).containsExactly("error ConnectException");
    }
}
