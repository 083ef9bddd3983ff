package dev.agentic.ingress.security;

import dev.agentic.ingress.config.IngressProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/me}: what the caller's key is: its tenant, id, roles, and the agents it may
 * query on this ingress. The dashboard shows what the roles allow from it.
 */
@RestController
class MeController {
    private final IngressProperties properties;

    MeController(IngressProperties properties) {
        this.properties = properties;
    }

    @GetMapping("/api/v1/me")
    @AnyRole
    Map<String, Object> me(Caller caller) {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("tenant", caller.tenant());
        me.put("key_id", caller.keyId());
        me.put("roles", caller.roles().stream().map(Role::wireName).sorted().toList());
        List<String> agents = properties.ingress().agents().stream()
                .filter(caller::mayUse)
                .sorted()
                .toList();
        me.put("agents", agents);
        return me;
    }
}
