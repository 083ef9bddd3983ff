package dev.agentic.e2e.chaos;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The size of a chaos run, read from system properties ({@code -Dchaos.*}); the defaults are the CI
 * size that {@code mvn verify} runs. docs/chaos.md lists every property and the full-size command.
 *
 * @param seed seeds the fault schedule, the choice of victims and the pause and outage lengths
 * @param requests concurrent requests: one client per request in flight, each sending its next
 *     request as soon as the previous one ended, until the window closes
 * @param window how long clients keep sending new requests; faults are injected inside it
 * @param workers worker processes alive at any time (a killed one is replaced under a new name)
 * @param workerConcurrency jobs per worker; {@code workers * workerConcurrency >= requests}
 * @param tokens tokens of every answer (the simulator's {@code --tokens})
 * @param interToken delay between two tokens (the simulator's {@code --inter-token})
 * @param ttft time to the first token (the simulator's {@code --ttft})
 * @param reclaimTimeout the workers' {@code agentic.worker.reclaim-timeout}
 * @param requestTimeout how long one client waits for its terminal event, resumes included
 * @param faultSpacing least time between the starts of two faults (each fault's effects, reclaim
 *     included, end before the next one starts, so every restart can be traced to one fault)
 * @param workerKills {@code kill -9} of a worker (then a replacement starts under a new name)
 * @param pauses SIGSTOP of a worker for less than half the reclaim timeout, then SIGCONT
 * @param ingressKills {@code kill -9} of an ingress instance (then it starts again on its port)
 * @param redisKills {@code kill -9} of redis-server, restarted from its AOF after a short outage
 */
record ChaosConfig(
        long seed,
        int requests,
        Duration window,
        int workers,
        int workerConcurrency,
        int tokens,
        Duration interToken,
        Duration ttft,
        Duration reclaimTimeout,
        Duration requestTimeout,
        Duration faultSpacing,
        int workerKills,
        int pauses,
        int ingressKills,
        int redisKills) {

    /** Time before the first fault, so that every client has a stream running. */
    static final Duration WARM_UP = Duration.ofSeconds(8);

    static ChaosConfig fromSystemProperties() {
        long seed = Long.getLong("chaos.seed", ThreadLocalRandom.current().nextLong(1, 1_000_000_000L));
        int requests = Integer.getInteger("chaos.requests", 200);
        Duration window = Duration.ofSeconds(Long.getLong("chaos.seconds", 90));
        int workers = Integer.getInteger("chaos.workers", 3);
        int concurrency = Integer.getInteger("chaos.worker-concurrency", (requests + workers - 1) / workers + 4);
        Duration reclaim = Duration.ofSeconds(Long.getLong("chaos.reclaim-seconds", 10));
        Duration spacing = Duration.ofSeconds(Long.getLong("chaos.fault-spacing-seconds", reclaim.toSeconds() + 5));
        // Fault slots between the warm-up and the end of the window (the last fault's effects need
        // one spacing to play out while clients still run).
        long slots =
                Math.max(4, (window.toSeconds() - WARM_UP.toSeconds() - spacing.toSeconds()) / spacing.toSeconds() + 1);
        // Shares: worker kills 2, pause 1, ingress kill 1, Redis kill 1; at least one of each.
        long share = Math.max(1, slots / 5);
        int workerKills = Integer.getInteger("chaos.worker-kills", (int) Math.max(1, slots - 3 * share));
        return new ChaosConfig(
                seed,
                requests,
                window,
                workers,
                concurrency,
                Integer.getInteger("chaos.tokens", 40),
                Duration.ofMillis(Long.getLong("chaos.inter-token-ms", 75)),
                Duration.ofMillis(Long.getLong("chaos.ttft-ms", 200)),
                reclaim,
                Duration.ofSeconds(Long.getLong("chaos.request-timeout-seconds", 180)),
                spacing,
                workerKills,
                Integer.getInteger("chaos.pauses", (int) share),
                Integer.getInteger("chaos.ingress-kills", (int) share),
                Integer.getInteger("chaos.redis-kills", (int) share));
    }

    ChaosConfig {
        if (requests < 1 || workers < 2 || tokens < 1) {
            throw new IllegalArgumentException("chaos: need requests >= 1, workers >= 2, tokens >= 1");
        }
        if ((long) workers * workerConcurrency < requests) {
            throw new IllegalArgumentException("chaos: workers * worker-concurrency must cover the requests");
        }
    }

    /** The longest SIGSTOP: half the reclaim timeout, so a worker that refreshes its jobs keeps them. */
    Duration maxPause() {
        return reclaimTimeout.dividedBy(2);
    }

    /** How long one uninterrupted answer streams. */
    Duration streamLength() {
        return ttft.plus(interToken.multipliedBy(tokens - 1L));
    }

    /**
     * The longest a crashed worker's job may wait for its {@code restart}: the reclaim timeout, one
     * refresh interval (a quarter of it) for the reclaim scan, one answer's length for a slot to
     * free up, and 5 s of slack for a loaded machine ({@code -Dchaos.max-reclaim-seconds}).
     */
    Duration maxReclaim() {
        Long seconds = Long.getLong("chaos.max-reclaim-seconds");
        return seconds != null
                ? Duration.ofSeconds(seconds)
                : reclaimTimeout
                        .plus(reclaimTimeout.dividedBy(4))
                        .plus(streamLength())
                        .plusSeconds(5);
    }

    int faults() {
        return workerKills + pauses + ingressKills + redisKills;
    }

    String describe() {
        return "seed=" + seed + " requests=" + requests + " window=" + window.toSeconds() + "s workers=" + workers
                + "x" + workerConcurrency + " answer=" + tokens + " tokens/" + interToken.toMillis() + "ms (ttft "
                + ttft.toMillis() + "ms) reclaim=" + reclaimTimeout.toSeconds() + "s faults: " + workerKills
                + " worker kills, " + pauses + " pauses, " + ingressKills + " ingress kills, " + redisKills
                + " Redis kills, spacing " + faultSpacing.toSeconds() + "s";
    }
}
