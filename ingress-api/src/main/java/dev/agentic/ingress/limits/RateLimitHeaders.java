package dev.agentic.ingress.limits;

import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The rate-limit header fields of draft-ietf-httpapi-ratelimit-headers: {@code RateLimit-Policy}
 * lists the tenant's windows ({@code "burst";q=200;w=2, "minute";q=3000;w=60}), {@code RateLimit}
 * reports the window closest to exhaustion ({@code "burst";r=57;t=2}: r requests left, all of the
 * quota back within t seconds).
 */
public record RateLimitHeaders(Map<String, String> fields) {
    public static final String POLICY = "RateLimit-Policy";
    public static final String STATE = "RateLimit";
    static final RateLimitHeaders NONE = new RateLimitHeaders(Map.of());

    public RateLimitHeaders {
        fields = Map.copyOf(fields);
    }

    /** One window's state. */
    record Window(String name, long quota, long windowSeconds, long remaining, long resetSeconds) {}

    static RateLimitHeaders of(List<Window> windows) {
        if (windows.isEmpty()) {
            return NONE;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(
                POLICY,
                windows.stream()
                        .map(w ->
                                String.format(Locale.ROOT, "\"%s\";q=%d;w=%d", w.name(), w.quota(), w.windowSeconds()))
                        .collect(Collectors.joining(", ")));
        Window tightest = windows.get(0);
        for (Window w : windows) {
            if (w.remaining() * tightest.quota() < tightest.remaining() * w.quota()) {
                tightest = w;
            }
        }
        fields.put(
                STATE,
                String.format(
                        Locale.ROOT,
                        "\"%s\";r=%d;t=%d",
                        tightest.name(),
                        Math.max(0, tightest.remaining()),
                        Math.max(0, tightest.resetSeconds())));
        return new RateLimitHeaders(fields);
    }

    /** Sets the fields on an admitted response. */
    public void writeTo(HttpServletResponse response) {
        fields.forEach(response::setHeader);
    }
}
