package dev.agentic.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.stressPeakUsers;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Load test of the Agentic Backend: JSON queries (math agent) and SSE streaming queries (general
 * agent), each under a ramp, steady or spike profile. Everything comes from system properties:
 *
 * <pre>
 * mvn -f loadtest/gatling/pom.xml gatling:test -Dtarget=http://127.0.0.1:8080 -DapiKey=$(cat .run/admin-key) \
 *     -Dscenario=both -Dprofile=ramp -Drate=10 -Dduration=30 -DrampSeconds=10 -DspikeUsers=200
 * </pre>
 *
 * <p>{@code scenario}: json | sse | both [both]; {@code profile}: ramp | steady | spike [ramp];
 * {@code rate}: users (requests) per second at the plateau [10]; {@code duration}: plateau seconds
 * [30]; {@code rampSeconds} [10]; {@code spikeUsers}: users arriving within {@code spikeSeconds} [5]
 * on top of the steady rate [10 x rate]; {@code maxFailedPercent} [1].
 *
 * <p>SSE: Gatling's SSE check can miss messages that arrive before the check is set. The check
 * here is attached to the connect action itself (set before the request is sent), and it waits
 * for the terminal event while every earlier message is simply left unmatched, so nothing can
 * slip past it; the terminal must be {@code done}.
 */
public class AgenticSimulation extends Simulation {
    private static final String TARGET = System.getProperty("target", "http://127.0.0.1:8080");
    private static final String API_KEY = System.getProperty("apiKey", System.getenv().getOrDefault("AGENTIC_API_KEY", ""));
    private static final String SCENARIO = System.getProperty("scenario", "both");
    private static final String PROFILE = System.getProperty("profile", "ramp");
    private static final double RATE = Double.parseDouble(System.getProperty("rate", "10"));
    private static final int DURATION = Integer.getInteger("duration", 30);
    private static final int RAMP = Integer.getInteger("rampSeconds", 10);
    private static final int SPIKE_USERS = Integer.getInteger("spikeUsers", (int) (10 * RATE));
    private static final int SPIKE_SECONDS = Integer.getInteger("spikeSeconds", 5);
    private static final double MAX_FAILED_PERCENT = Double.parseDouble(System.getProperty("maxFailedPercent", "1"));

    private final HttpProtocolBuilder protocol = http.baseUrl(TARGET)
            .contentTypeHeader("application/json")
            .header("Cache-Control", "no-cache")
            .header("Authorization", "Bearer " + API_KEY)
            .shareConnections();

    private final ScenarioBuilder json = scenario("JSON math query")
            .exec(session -> session.set("a", ThreadLocalRandom.current().nextInt(1_000_000)))
            .exec(http("math JSON")
                    .post("/api/v1/query")
                    .body(StringBody("{\"query\":\"What is #{a} + 2?\",\"agent_type\":\"math\"}"))
                    .check(status().is(200))
                    .check(jsonPath("$.answer")
                            .transformWithSession((answer, session) -> answer.endsWith("Result: " + (session.getInt("a") + 2)))
                            .is(true)));

    private final ScenarioBuilder stream = scenario("SSE general query")
            .exec(sse("general SSE")
                    .post("/api/v1/query")
                    .header("Accept", "text/event-stream")
                    .body(StringBody("{\"query\":\"Tell me about queues\",\"agent_type\":\"general\"}"))
                    .await(Duration.ofSeconds(60))
                    .on(sse.checkMessage("terminal")
                            .matching(regex("\"event\":\"(done|error)\""))
                            .check(regex("\"event\":\"(done|error)\"").is("done"))))
            .exec(sse("close").close());

    {
        List<PopulationBuilder> populations = new ArrayList<>();
        if (!SCENARIO.equals("sse")) {
            populations.add(json.injectOpen(profile()));
        }
        if (!SCENARIO.equals("json")) {
            populations.add(stream.injectOpen(profile()));
        }
        setUp(populations)
                .protocols(protocol)
                .assertions(global().failedRequests().percent().lte(MAX_FAILED_PERCENT));
    }

    private static OpenInjectionStep[] profile() {
        return switch (PROFILE) {
            case "steady" -> new OpenInjectionStep[] {constantUsersPerSec(RATE).during(DURATION)};
            case "spike" -> new OpenInjectionStep[] {
                constantUsersPerSec(RATE).during(RAMP),
                stressPeakUsers(SPIKE_USERS).during(SPIKE_SECONDS),
                constantUsersPerSec(RATE).during(DURATION)
            };
            case "ramp" -> new OpenInjectionStep[] {
                rampUsersPerSec(1).to(RATE).during(RAMP), constantUsersPerSec(RATE).during(DURATION), nothingFor(1)
            };
            default -> throw new IllegalArgumentException("unknown profile " + PROFILE + " (ramp | steady | spike)");
        };
    }
}
