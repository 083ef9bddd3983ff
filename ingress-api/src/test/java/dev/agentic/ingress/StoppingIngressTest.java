package dev.agentic.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * A stopping ingress pauses its HTTP connector (graceful shutdown) while Nginx may still send it a
 * request on a kept-alive connection, in the moment before a reload takes the instance out. Tomcat
 * then skips parsing the request's headers and, finding no Host header, turns its own 503 into a
 * 400: the client would be told its valid request is malformed and would not retry it. The
 * ingress answers 503 {@code shutting_down} (retryable, nothing accepted) instead.
 */
class StoppingIngressTest extends RedisBackedTest {
    @Autowired
    WebServerApplicationContext context;

    @Test
    void aRequestCaughtByThePauseIsNeverABadRequest() throws Exception {
        Connector connector =
                ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector();
        AtomicBoolean running = new AtomicBoolean(true);
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        List<String> wrongAnswers = new CopyOnWriteArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 8; c++) {
                clients.submit(() -> {
                    while (running.get()) {
                        sendOnOneConnection(running, statuses, wrongAnswers);
                    }
                    return null;
                });
            }
            // Each pause lasts long enough for a request caught by it to be answered while the
            // connector is still paused, as it stays in a real shutdown.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            int pauses = 0;
            while (System.nanoTime() < end && wrongAnswers.isEmpty()) {
                Thread.sleep(5);
                connector.pause();
                pauses++;
                Thread.sleep(20);
                connector.resume();
            }
            running.set(false);
            System.out.printf("%d pauses: %s%n", pauses, statuses);
        } finally {
            connector.resume();
        }
        assertThat(wrongAnswers).as("statuses %s", statuses).isEmpty();
        assertThat(statuses).containsKey("200");
    }

    /**
     * Requests on one kept-alive connection until it is closed or answered other than 200; counts
     * each status (or "closed").
     */
    private void sendOnOneConnection(AtomicBoolean running, Map<String, Integer> statuses, List<String> wrongAnswers) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            while (running.get()) {
                out.write(request());
                out.flush();
                String response = readResponse(in);
                String status = response.length() >= 12 ? response.substring(9, 12) : "closed";
                statuses.merge(status, 1, Integer::sum);
                boolean retryable503 = status.equals("503")
                        && response.toLowerCase(Locale.ROOT).contains("retry-after: 1")
                        && response.contains("\"code\":\"shutting_down\"")
                        && response.contains("\"retryable\":true");
                if (!status.equals("200") && !status.equals("closed") && !retryable503) {
                    wrongAnswers.add(response);
                }
                if (!status.equals("200")) {
                    return;
                }
            }
        } catch (IOException e) {
            statuses.merge("closed", 1, Integer::sum);
        }
    }

    private byte[] request() {
        return ("GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + ADMIN_KEY
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One response: its head, and its body by Content-Length or chunks up to the last one. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return all.toString(StandardCharsets.UTF_8);
            }
            all.write(b);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                continue;
            }
            String head = text.substring(0, end).toLowerCase(Locale.ROOT);
            int length = head.indexOf("content-length:");
            if (length >= 0) {
                int value = Integer.parseInt(head.substring(length + 15)
                        .lines()
                        .findFirst()
                        .orElseThrow()
                        .strip());
                if (text.length() - end - 4 >= value) {
                    return text;
                }
            } else if (head.contains("transfer-encoding: chunked")) {
                if (text.endsWith("\r\n0\r\n\r\n")) {
                    return text;
                }
            } else {
                return text; // no body
            }
        }
    }
}
