package dev.agentic.e2e.chaos;

import dev.agentic.testsupport.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Injects the faults of one run on a seeded schedule: the kinds are shuffled, the first starts
 * after the warm-up and each next one at least {@link ChaosConfig#faultSpacing()} later, with the
 * slack of the window spread at random between them. Victims, pause lengths and outage lengths come
 * from the same seeded {@link Random}.
 */
final class FaultInjector {
    enum Kind {
        WORKER_KILL,
        WORKER_PAUSE,
        INGRESS_KILL,
        REDIS_KILL
    }

    /**
     * One injected fault.
     *
     * @param target worker name, ingress slot or {@code redis}
     * @param startNanos when the signal was sent ({@link System#nanoTime()}, as the clients' frames)
     * @param endNanos when it was undone: SIGCONT, Redis started again; = start for kills
     * @param startMillis the same instant in wall-clock millis (as the event ids written by Redis)
     * @param endMillis {@code endNanos} in wall-clock millis
     * @param replacement the process started in its place (worker name, ingress generation), if any
     */
    record Fault(
            Kind kind,
            String target,
            long pid,
            long startNanos,
            long endNanos,
            long startMillis,
            long endMillis,
            String replacement) {}

    /** Now, on both clocks. */
    private record Instant(long nanos, long millis) {
        static Instant now() {
            return new Instant(System.nanoTime(), System.currentTimeMillis());
        }
    }

    /** A planned fault: its kind and offset from the start of the window. */
    record Planned(Kind kind, Duration at) {}

    private final ChaosCluster cluster;
    private final ChaosConfig config;
    private final Random random;
    private final List<Fault> done = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<Thread> background = new CopyOnWriteArrayList<>();
    /** Processes killed on purpose: one of them not becoming ready is no problem. */
    private final java.util.Set<String> killed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Consumer<String> say;

    FaultInjector(ChaosCluster cluster, ChaosConfig config, Consumer<String> say) {
        this.cluster = cluster;
        this.config = config;
        this.random = new Random(config.seed());
        this.say = say;
    }

    /** The schedule the seed gives; the same seed gives the same schedule. */
    static List<Planned> plan(ChaosConfig config) {
        Random random = new Random(config.seed() ^ 0x5DEECE66DL);
        List<Kind> kinds = new ArrayList<>();
        kinds.addAll(Collections.nCopies(config.workerKills(), Kind.WORKER_KILL));
        kinds.addAll(Collections.nCopies(config.pauses(), Kind.WORKER_PAUSE));
        kinds.addAll(Collections.nCopies(config.ingressKills(), Kind.INGRESS_KILL));
        kinds.addAll(Collections.nCopies(config.redisKills(), Kind.REDIS_KILL));
        Collections.shuffle(kinds, random);
        long spacing = config.faultSpacing().toMillis();
        long first = ChaosConfig.WARM_UP.toMillis();
        // The last fault starts one spacing before the window closes, so its effects play out under load.
        long slack = config.window().toMillis() - first - spacing - (kinds.size() - 1L) * spacing;
        if (slack < 0) {
            throw new IllegalArgumentException("chaos: " + kinds.size() + " faults "
                    + config.faultSpacing().toSeconds() + "s apart do not fit in a "
                    + config.window().toSeconds() + "s window; raise -Dchaos.seconds");
        }
        List<Long> extra = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            extra.add((long) (random.nextDouble() * slack));
        }
        Collections.sort(extra);
        List<Planned> planned = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            planned.add(new Planned(kinds.get(i), Duration.ofMillis(first + i * spacing + extra.get(i))));
        }
        return planned;
    }

    /** Runs the schedule from {@code windowStartNanos}; returns when the last fault has been undone. */
    void run(long windowStartNanos) {
        for (Planned planned : plan(config)) {
            sleepUntil(windowStartNanos + planned.at().toNanos());
            try {
                inject(planned.kind());
            } catch (RuntimeException e) {
                problems.add(planned + " failed: " + e);
                say.accept("fault " + planned + " failed: " + e);
            }
        }
    }

    List<Fault> faults() {
        return List.copyOf(done);
    }

    /** Replacements that did not become ready, faults that could not be injected. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /** Waits for the replacement processes' readiness checks. */
    void awaitReplacements(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : background) {
            try {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void inject(Kind kind) {
        switch (kind) {
            case WORKER_KILL -> killWorker();
            case WORKER_PAUSE -> pauseWorker();
            case INGRESS_KILL -> killIngress();
            case REDIS_KILL -> killRedis();
        }
    }

    private void killWorker() {
        // A crash of a worker that is still starting tests nothing: prefer ready ones.
        List<ChaosCluster.Worker> all = cluster.workers();
        List<ChaosCluster.Worker> ready =
                all.stream().filter(w -> ChaosCluster.isReady(w.readyUrl())).toList();
        List<ChaosCluster.Worker> workers = ready.isEmpty() ? all : ready;
        ChaosCluster.Worker victim = workers.get(random.nextInt(workers.size()));
        killed.add(victim.name());
        long pid = victim.process().pid();
        Instant at = Instant.now();
        cluster.killWorker(victim);
        ChaosCluster.Worker replacement = cluster.launchWorker();
        done.add(new Fault(
                Kind.WORKER_KILL,
                victim.name(),
                pid,
                at.nanos(),
                at.nanos(),
                at.millis(),
                at.millis(),
                replacement.name()));
        say.accept("kill -9 " + victim.name() + " (pid " + pid + "); starting " + replacement.name());
        awaitInBackground(replacement.name(), replacement.process(), replacement.readyUrl(), at.nanos());
    }

    private void pauseWorker() {
        List<ChaosCluster.Worker> workers = cluster.workers().stream()
                .filter(w -> ChaosCluster.isReady(w.readyUrl()))
                .toList();
        if (workers.isEmpty()) {
            throw new IllegalStateException("no ready worker to pause");
        }
        ChaosCluster.Worker victim = workers.get(random.nextInt(workers.size()));
        long min = config.maxPause().toMillis() * 3 / 5;
        Duration pause =
                Duration.ofMillis(min + random.nextLong(config.maxPause().toMillis() - min + 1));
        Instant at = Instant.now();
        victim.process().pause();
        say.accept("SIGSTOP " + victim.name() + " (pid " + victim.process().pid() + ") for " + pause.toMillis() + "ms");
        sleepUntil(at.nanos() + pause.toNanos());
        victim.process().resume();
        Instant end = Instant.now();
        done.add(new Fault(
                Kind.WORKER_PAUSE,
                victim.name(),
                victim.process().pid(),
                at.nanos(),
                end.nanos(),
                at.millis(),
                end.millis(),
                ""));
        say.accept("SIGCONT " + victim.name() + " after " + (end.nanos() - at.nanos()) / 1_000_000 + "ms");
    }

    private void killIngress() {
        List<ChaosCluster.Ingress> slots = cluster.ingresses();
        ChaosCluster.Ingress slot = slots.get(random.nextInt(slots.size()));
        long pid = slot.process.pid();
        killed.add(slot.process.name());
        Instant at = Instant.now();
        ServiceProcess next = cluster.killAndRestartIngress(slot);
        done.add(new Fault(
                Kind.INGRESS_KILL,
                "ingress-" + slot.index,
                pid,
                at.nanos(),
                at.nanos(),
                at.millis(),
                at.millis(),
                next.name()));
        say.accept("kill -9 ingress-" + slot.index + " (pid " + pid + ", port " + slot.port + "); starting "
                + next.name() + " on the same port");
        awaitInBackground(next.name(), next, slot.readyUrl(), at.nanos());
    }

    private void killRedis() {
        long outageMin = 1000;
        long outageMax = 4000;
        Duration outage = Duration.ofMillis(outageMin + random.nextLong(outageMax - outageMin + 1));
        long pid = cluster.redisPid();
        Instant at = Instant.now();
        cluster.killRedis();
        say.accept("kill -9 redis-server (pid " + pid + "); down for " + outage.toMillis() + "ms");
        sleepUntil(at.nanos() + outage.toNanos());
        cluster.restartRedis();
        Instant end = Instant.now();
        done.add(new Fault(
                Kind.REDIS_KILL,
                "redis",
                pid,
                at.nanos(),
                end.nanos(),
                at.millis(),
                end.millis(),
                "redis-server pid " + cluster.redisPid()));
        say.accept("redis-server restarted from its AOF (pid " + cluster.redisPid() + ") after "
                + (end.nanos() - at.nanos()) / 1_000_000 + "ms");
    }

    private void awaitInBackground(String name, ServiceProcess process, String url, long since) {
        background.add(Thread.ofVirtual().start(() -> {
            if (ChaosCluster.awaitReady(process, url, Duration.ofSeconds(120))) {
                say.accept(name + " ready " + (System.nanoTime() - since) / 1_000_000 + "ms after the kill");
            } else if (killed.contains(name)) {
                say.accept(name + " was killed before it became ready");
            } else {
                problems.add(name + " did not become ready: " + process.logTail(20));
                say.accept(name + " did NOT become ready");
            }
        }));
    }

    private static void sleepUntil(long nanos) {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            try {
                Thread.sleep(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
