package dev.agentic.ingress.security;

import dev.agentic.ingress.web.ApiException;
import jakarta.servlet.ServletRequest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;

/**
 * Who is calling: the tenant and roles of the API key on the request. Set by {@link AuthInterceptor}
 * before any handler runs; read it with {@link #of(ServletRequest)}, {@link #current()}, or as a
 * handler method parameter of type {@code Caller}.
 *
 * <p>Requests belong to the tenant, not to the key: every key of a tenant sees its requests.
 *
 * @param tenant the tenant every request this caller makes is recorded under
 * @param keyId the API key's public id (safe to log)
 * @param roles the key's roles; {@link Role#ADMIN} includes all others
 * @param agents agents the key may query; {@code *} for every agent the ingress runs
 */
public record Caller(String tenant, String keyId, Set<Role> roles, Set<String> agents) {
    /** The request attribute holding the caller. */
    public static final String ATTRIBUTE = Caller.class.getName();

    public static final String ANY_AGENT = "*";

    public Caller {
        roles = Set.copyOf(roles);
        agents = Set.copyOf(agents);
    }

    /** The caller of an authenticated request; empty on open endpoints (health) and before authentication. */
    public static Optional<Caller> find(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof Caller caller ? Optional.of(caller) : Optional.empty();
    }

    /** @throws IllegalStateException on a request that was not authenticated (a programming error) */
    public static Caller of(ServletRequest request) {
        return find(request).orElseThrow(() -> new IllegalStateException("request is not authenticated"));
    }

    public boolean has(Role role) {
        return roles.contains(role) || roles.contains(Role.ADMIN);
    }

    public boolean mayUse(String agent) {
        return agents.contains(ANY_AGENT) || agents.contains(agent);
    }

    /** @throws ApiException 403 {@code forbidden} without the role */
    public void require(Role role) {
        if (!has(role)) {
            throw new ApiException(
                    HttpStatus.FORBIDDEN,
                    "forbidden",
                    "This API key's roles " + wireNames() + " do not include '" + role.wireName() + "'",
                    Map.of("required_role", role.wireName()));
        }
    }

    /** @throws ApiException 403 {@code agent_not_allowed} if the key may not use the agent */
    public void requireAgent(String agent) {
        if (!mayUse(agent)) {
            throw new ApiException(
                    HttpStatus.FORBIDDEN,
                    "agent_not_allowed",
                    "This API key may not use agent '" + ApiException.printable(agent) + "'",
                    Map.of("allowed_agents", new TreeSet<>(agents)));
        }
    }

    private Set<String> wireNames() {
        Set<String> names = new TreeSet<>();
        roles.forEach(role -> names.add(role.wireName()));
        return names;
    }
}
