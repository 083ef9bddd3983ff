package dev.agentic.loadtest.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The running system as the CLI sees it: a base URL and an API key. Requests go out with the key as
 * a bearer token; "nothing listens" becomes the hint to start the stack.
 */
final class Server {
    private static final Pattern API_KEY = Pattern.compile("agk_[0-9a-f]{16}_[A-Za-z0-9_-]{16,128}");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String baseUrl;
    private final String apiKey;

    Server(String baseUrl, String apiKey) {
        if (!API_KEY.matcher(apiKey).matches()) {
            throw new CliFailure(
                    "the API key (AGENTIC_API_KEY or the admin-key file) is not of the form agk_<id>_<secret>");
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
    }

    String baseUrl() {
        return baseUrl;
    }

    /** POSTs {@code body} to {@code path} and returns once the response headers are in. */
    HttpResponse<InputStream> post(String path, String contentType, String accept, HttpRequest.BodyPublisher body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", contentType)
                .header("Accept", accept)
                .POST(body)
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new CliFailure("nothing answers at " + baseUrl + "; start it with: bin/agentic up");
        } catch (IOException e) {
            throw new CliFailure("talking to " + request.uri() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted", 130);
        }
    }

    /** The error for a refusal (status not 2xx), after its body was shown. */
    static CliFailure refused(HttpResponse<?> response) {
        if (response.statusCode() == 401) {
            return new CliFailure("HTTP 401 from " + response.uri()
                    + ": the API key was refused (unknown or revoked); set AGENTIC_API_KEY to a valid one");
        }
        return new CliFailure("HTTP " + response.statusCode() + " from " + response.uri());
    }

    static boolean isSuccess(HttpResponse<?> response) {
        return response.statusCode() / 100 == 2;
    }
}
