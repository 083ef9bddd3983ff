package dev.agentic.ingress.web;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.AbstractProtocol;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's own refusals (a malformed URI, an encoded slash in a path, a bad header) happen before
 * Spring sees the request; this valve writes them as problem+json too, instead of an HTML page.
 *
 * <p>One of them is not the client's fault: a request whose line Tomcat read just as the connector
 * paused for a graceful shutdown gets a 503 whose headers are never parsed, and then a 400 for the
 * Host header it seems to lack. Nginx can still send a stopping ingress such a request on a
 * kept-alive connection before its reload takes the instance out. That request is answered 503
 * {@code shutting_down} (retryable, nothing accepted), never 400.
 */
public class ProblemErrorReportValve extends ErrorReportValve {
    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.isCommitted() || response.getContentWritten() > 0) {
            return;
        }
        String body;
        if (status == HttpStatus.BAD_REQUEST.value() && isPaused(request)) {
            status = HttpStatus.SERVICE_UNAVAILABLE.value();
            response.setStatus(status);
            response.setHeader("Retry-After", "1");
            response.setHeader("Connection", "close");
            // as ApiException.shuttingDown(), which a draining ingress answers once Spring sees requests
            body = "{\"type\":\"urn:agentic:problem:shutting_down\",\"title\":\"Service Unavailable\",\"status\":503"
                    + ",\"detail\":\"This instance is shutting down; retry, another instance will answer\""
                    + ",\"code\":\"shutting_down\",\"retryable\":true}";
        } else {
            HttpStatus resolved = HttpStatus.resolve(status);
            String title = resolved == null ? "Error" : resolved.getReasonPhrase();
            String code = resolved == null ? "http_" + status : resolved.name().toLowerCase(java.util.Locale.ROOT);
            body = "{\"type\":\"urn:agentic:problem:" + code + "\",\"title\":\"" + title + "\",\"status\":" + status
                    + ",\"detail\":\"The request was rejected by the HTTP server: " + title + "\",\"code\":\"" + code
                    + "\"}";
        }
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone; nothing to report to.
        }
    }

    private static boolean isPaused(Request request) {
        return request.getConnector() != null
                && request.getConnector().getProtocolHandler() instanceof AbstractProtocol<?> protocol
                && protocol.isPaused();
    }
}
