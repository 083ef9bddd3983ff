package dev.agentic.ingress.web;

import dev.agentic.ingress.config.IngressProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses bodies over {@code agentic.ingress.max-body-size} (documents: {@code
 * agentic.ingress.max-document-size} plus room for their JSON envelope) with 413: at once when
 * Content-Length says so, and while reading for chunked bodies.
 */
@Component
class BodyLimitFilter extends OncePerRequestFilter {
    /** Room for a document's JSON envelope (id, title, metadata, escapes) beyond its text. */
    private static final long DOCUMENT_ENVELOPE = 64 * 1024;

    private final long limit;
    private final long documentLimit;
    private final JsonMapper json;

    BodyLimitFilter(IngressProperties properties, JsonMapper json) {
        this.limit = properties.ingress().maxBodySize().toBytes();
        this.documentLimit = properties.ingress().maxDocumentSize().toBytes() + DOCUMENT_ENVELOPE;
        this.json = json;
    }

    static boolean isTooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLargeException) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = "/api/v1/documents".equals(request.getRequestURI()) ? documentLimit : this.limit;
        if (request.getContentLengthLong() > limit) {
            response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
            // The unread body is not drained: the connection is closed after this response.
            response.setHeader("Connection", "close");
            String detail = "The request body exceeds " + limit + " bytes";
            if (request.getRequestURI().startsWith(OpenAiErrorBody.PATH_PREFIX)) {
                response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                json.writeValue(
                        response.getOutputStream(),
                        OpenAiErrorBody.of(detail, "invalid_request_error", null, "body_too_large"));
                return;
            }
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            json.writeValue(
                    response.getOutputStream(),
                    ProblemAdvice.problem(HttpStatus.CONTENT_TOO_LARGE, "body_too_large", detail));
            return;
        }
        chain.doFilter(new Limited(request, limit), response);
    }

    static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(long limit) {
            super("request body exceeds " + limit + " bytes");
        }
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final long limit;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    int b = in.read();
                    count(b < 0 ? 0 : 1);
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = in.read(buffer, offset, length);
                    count(Math.max(n, 0));
                    return n;
                }

                private void count(int n) throws BodyTooLargeException {
                    read += n;
                    if (read > limit) {
                        throw new BodyTooLargeException(limit);
                    }
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
