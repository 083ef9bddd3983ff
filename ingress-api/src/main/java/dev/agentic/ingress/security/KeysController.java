package dev.agentic.ingress.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.AsciiForm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Creating, listing and revoking API keys. The secret is in the create response only. */
@RestController
@RequiresRole(Role.ADMIN)
class KeysController {
    private static final String AGENT_PATTERN = "[A-Za-z0-9_-]{1,64}";
    private final ApiKeys keys;

    KeysController(ApiKeys keys) {
        this.keys = keys;
    }

    /**
     * @param tenant the tenant the key acts for
     * @param roles its roles: {@code admin}, {@code operator}, {@code ingest}, {@code user}
     * @param agents agents it may query; absent or {@code ["*"]} for all
     * @param name a label for people (who holds it, what for)
     */
    record CreateKey(
            @Nullable String tenant,
            @Nullable List<String> roles,
            @Nullable List<String> agents,
            @JsonProperty("name") @Nullable String name) {}

    @PostMapping(path = "/api/v1/admin/keys", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> create(@RequestBody CreateKey request) {
        String tenant = tenant(request.tenant());
        Set<Role> roles = roles(request.roles());
        Set<String> agents = agents(request.agents());
        String name = request.name() == null ? "" : request.name().strip();
        if (name.length() > 200 || !name.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw invalid("name must be at most 200 characters, without control characters");
        }
        ApiKeys.Created created = keys.create(tenant, roles, agents, name);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", created.key());
        body.putAll(created.stored().describe());
        return ResponseEntity.status(HttpStatus.CREATED).body(body);
    }

    @GetMapping("/api/v1/admin/keys")
    Map<String, Object> list(@RequestParam(value = "tenant", required = false) @Nullable String tenant) {
        return Map.of("keys", keys.list(tenant).stream().map(ApiKey::describe).toList());
    }

    /** Revokes the key on every instance: at once by a message, within {@code agentic.security.key-cache-ttl} at worst. */
    @DeleteMapping("/api/v1/admin/keys/{id}")
    Map<String, Object> revoke(@PathVariable String id) {
        return keys.revoke(id)
                .map(ApiKey::describe)
                .orElseThrow(() -> new ApiException(
                        HttpStatus.NOT_FOUND, "not_found", "No API key '" + ApiException.printable(id) + "'"));
    }

    private static String tenant(@Nullable String tenant) {
        if (tenant == null || !AsciiForm.isTenantName(tenant)) {
            throw invalid("tenant is required: 1 to 64 of a-z 0-9 - _, starting with a letter or digit");
        }
        return tenant;
    }

    private static Set<Role> roles(@Nullable List<String> names) {
        if (names == null || names.isEmpty()) {
            throw invalid("roles is required: a list of admin, operator, ingest, user");
        }
        Set<Role> roles = new TreeSet<>();
        for (String name : names) {
            try {
                roles.add(Role.fromWire(String.valueOf(name)));
            } catch (IllegalArgumentException e) {
                throw invalid("Unknown role '" + ApiException.printable(String.valueOf(name))
                        + "'; roles are admin, operator, ingest, user");
            }
        }
        return roles;
    }

    private static Set<String> agents(@Nullable List<String> names) {
        if (names == null || names.isEmpty()) {
            return Set.of(Caller.ANY_AGENT);
        }
        Set<String> agents = new TreeSet<>();
        for (String name : names) {
            if (name == null || !(name.equals(Caller.ANY_AGENT) || name.matches(AGENT_PATTERN))) {
                throw invalid("agents must be agent names (1 to 64 of A-Z a-z 0-9 - _) or \"*\"");
            }
            agents.add(name);
        }
        return agents;
    }

    private static ApiException invalid(String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request", detail);
    }
}
