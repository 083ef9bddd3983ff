package dev.agentic.ingress.admin;

import dev.agentic.ingress.admission.LaneLoad;
import dev.agentic.ingress.admission.QueueMonitor;
import dev.agentic.ingress.security.RequiresRole;
import dev.agentic.ingress.security.Role;
import dev.agentic.ingress.web.ApiException;
import dev.agentic.model.Lane;
import dev.agentic.model.RedisKeys;
import dev.agentic.redis.RedisLink;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Queue stats and live admission thresholds. A threshold set here is stored in Redis and applied
 * by every ingress instance at its next sample (within {@code agentic.admission.sample-interval}),
 * without a restart.
 */
@RestController
@RequiresRole(Role.OPERATOR)
class AdmissionAdminController {
    private final RedisLink redis;
    private final QueueMonitor monitor;

    AdmissionAdminController(RedisLink redis, QueueMonitor monitor) {
        this.redis = redis;
        this.monitor = monitor;
    }

    @GetMapping("/api/v1/admin/admission")
    Map<String, Object> current() {
        return describe();
    }

    /** Body: {@code {"interactive": {"max_depth": 500}, "batch": {"max_depth": 5000}}} (either lane optional). */
    @PutMapping("/api/v1/admin/admission")
    Map<String, Object> update(@RequestBody Map<String, Map<String, Long>> lanes) {
        Map<String, String> fields = new LinkedHashMap<>();
        lanes.forEach((lane, settings) -> {
            Lane known = knownLane(lane);
            Long maxDepth = settings == null ? null : settings.get("max_depth");
            if (maxDepth == null || maxDepth < 1) {
                throw new ApiException(
                        HttpStatus.BAD_REQUEST, "invalid_limit", "max_depth of " + lane + " must be a positive number");
            }
            fields.put(known.wireName() + ".max-depth", String.valueOf(maxDepth));
        });
        if (!fields.isEmpty()) {
            redis.sync().hset(RedisKeys.ADMISSION_CONFIG, fields);
        }
        monitor.sampleNow();
        return describe();
    }

    private Map<String, Object> describe() {
        Map<String, Object> lanes = new LinkedHashMap<>();
        for (Lane lane : Lane.values()) {
            LaneLoad load = monitor.load(lane);
            lanes.put(
                    lane.wireName(),
                    Map.of("max_depth", load.maxDepth(), "lag", load.lag(), "drain_per_second", load.drainPerSecond()));
        }
        return lanes;
    }

    private static Lane knownLane(String name) {
        try {
            return Lane.fromWire(name);
        } catch (IllegalArgumentException e) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "unknown_lane", "Unknown lane '" + ApiException.printable(name) + "'");
        }
    }
}
