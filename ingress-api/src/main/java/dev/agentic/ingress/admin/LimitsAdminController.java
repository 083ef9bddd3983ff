package dev.agentic.ingress.admin;

import dev.agentic.ingress.limits.LiveLimits;
import dev.agentic.ingress.limits.TenantLimits;
import dev.agentic.ingress.security.RequiresRole;
import dev.agentic.ingress.security.Role;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisLink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Live per-tenant limits and budgets. Values set here are stored in {@code agentic:config:limits};
 * every ingress instance applies them within {@code agentic.limits.refresh-interval}, without a
 * restart. Body fields: {@code rate_per_second}, {@code burst}, {@code rate_per_minute}, {@code
 * max_streams}, {@code daily_budget_usd}, {@code monthly_budget_usd}; {@code null} removes an override.
 */
@RestController
@RequiresRole(Role.OPERATOR)
class LimitsAdminController {
    private final RedisLink redis;
    private final LiveLimits live;

    LimitsAdminController(RedisLink redis, LiveLimits live) {
        this.redis = redis;
        this.live = live;
    }

    @GetMapping("/api/v1/admin/limits")
    Map<String, Object> current() {
        return describe();
    }

    /** Sets global values (for every tenant without its own). */
    @PutMapping("/api/v1/admin/limits")
    Map<String, Object> updateDefaults(@RequestBody Map<String, @Nullable Object> values) {
        store("default.", values);
        return describe();
    }

    @GetMapping("/api/v1/admin/limits/tenants/{tenant}")
    Map<String, Object> tenant(@PathVariable String tenant) {
        return describeTenant(checkedTenant(tenant));
    }

    /** Sets one tenant's own values. */
    @PutMapping("/api/v1/admin/limits/tenants/{tenant}")
    Map<String, Object> updateTenant(@PathVariable String tenant, @RequestBody Map<String, @Nullable Object> values) {
        store("tenant." + checkedTenant(tenant) + ".", values);
        return describeTenant(tenant);
    }

    /** Removes all of one tenant's own values: the global ones apply again. */
    @DeleteMapping("/api/v1/admin/limits/tenants/{tenant}")
    Map<String, Object> resetTenant(@PathVariable String tenant) {
        String prefix = "tenant." + checkedTenant(tenant) + ".";
        String[] fields = TenantLimits.KNOBS.stream().map(knob -> prefix + knob).toArray(String[]::new);
        redis.sync().hdel(RedisKeys.LIMITS_CONFIG, fields);
        live.refresh();
        return describeTenant(tenant);
    }

    private void store(String prefix, Map<String, @Nullable Object> values) {
        Map<String, String> set = new LinkedHashMap<>();
        List<String> removed = new ArrayList<>();
        values.forEach((field, value) -> {
            String knob = field.replace('_', '-');
            if (!TenantLimits.KNOBS.contains(knob)) {
                throw new ApiException(
                        HttpStatus.BAD_REQUEST,
                        "invalid_limit",
                        "unknown limit '" + ApiException.printable(field) + "'; known: " + TenantLimits.KNOBS);
            }
            if (value == null) {
                removed.add(prefix + knob); // null removes the override
                return;
            }
            try {
                set.put(prefix + knob, TenantLimits.validated(knob, String.valueOf(value)));
            } catch (IllegalArgumentException e) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_limit", String.valueOf(e.getMessage()));
            }
        });
        if (!set.isEmpty()) {
            redis.sync().hset(RedisKeys.LIMITS_CONFIG, set);
        }
        if (!removed.isEmpty()) {
            redis.sync().hdel(RedisKeys.LIMITS_CONFIG, removed.toArray(String[]::new));
        }
        live.refresh();
    }

    private Map<String, Object> describe() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("defaults", live.defaults().describe());
        Map<String, Map<String, String>> tenants = new TreeMap<>();
        live.overrides().forEach((field, value) -> {
            if (field.startsWith("tenant.") && field.lastIndexOf('.') > "tenant.".length()) {
                String tenant = field.substring("tenant.".length(), field.lastIndexOf('.'));
                tenants.computeIfAbsent(tenant, t -> new TreeMap<>())
                        .put(field.substring(field.lastIndexOf('.') + 1).replace('-', '_'), value);
            }
        });
        body.put("tenant_overrides", tenants);
        return body;
    }

    private Map<String, Object> describeTenant(String tenant) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant", tenant);
        body.put("limits", live.of(tenant).describe());
        return body;
    }

    private static String checkedTenant(String tenant) {
        try {
            RedisKeys.streamPermits(tenant); // the same rule as every tenant key
            return tenant;
        } catch (IllegalArgumentException e) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid_tenant",
                    "A tenant name is 1 to 64 lowercase letters, digits, '-' and '_', starting with a letter or digit");
        }
    }
}
