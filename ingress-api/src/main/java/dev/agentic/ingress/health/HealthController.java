package dev.agentic.ingress.health;

import dev.agentic.redis.RedisLink;
import io.lettuce.core.RedisException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The original system's health endpoints. Live: the process answers. Ready: Redis answers and the
 * instance is not shutting down (the load balancer then stops sending new streams).
 */
@RestController
class HealthController {
    private final RedisLink redis;
    private final ApplicationAvailability availability;

    HealthController(RedisLink redis, ApplicationAvailability availability) {
        this.redis = redis;
        this.availability = availability;
    }

    @GetMapping("/api/v1/health")
    ResponseEntity<Map<String, Object>> health() {
        boolean redisUp = redisAnswers();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", redisUp ? "healthy" : "degraded");
        body.put("redis", redisUp ? "up" : "down");
        return ResponseEntity.status(redisUp ? 200 : 503).body(body);
    }

    @GetMapping("/api/v1/monitoring/live")
    Map<String, String> live() {
        return Map.of("status", "alive");
    }

    @GetMapping("/api/v1/monitoring/ready")
    ResponseEntity<Map<String, String>> ready() {
        boolean accepting = availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
        boolean redisUp = redisAnswers();
        String status = !accepting ? "draining" : redisUp ? "ready" : "redis_unavailable";
        return ResponseEntity.status(accepting && redisUp ? 200 : 503).body(Map.of("status", status));
    }

    private boolean redisAnswers() {
        try {
            return "PONG".equals(redis.sync().ping());
        } catch (RedisException e) {
            return false;
        }
    }
}
