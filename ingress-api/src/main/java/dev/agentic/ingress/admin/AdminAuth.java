package dev.agentic.ingress.admin;

import dev.agentic.ingress.config.IngressProperties;
import dev.agentic.ingress.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The admin endpoints' gate until API keys with roles exist: {@code Authorization: Bearer
 * <agentic.ingress.admin-token>}. Without a configured token the endpoints do not exist (404).
 */
@Component
class AdminAuth {
    private final @Nullable String token;

    AdminAuth(IngressProperties properties) {
        this.token = properties.ingress().adminToken();
    }

    /** 404 while no token is configured; 401 for a missing or wrong one (compared in constant time). */
    void check(@Nullable String authorization) {
        if (token == null || token.isEmpty()) {
            throw new ApiException(HttpStatus.NOT_FOUND, "not_found", "No such endpoint");
        }
        String presented =
                authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        if (!MessageDigest.isEqual(
                presented.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "unauthorized", "A valid admin bearer token is required");
        }
    }
}
