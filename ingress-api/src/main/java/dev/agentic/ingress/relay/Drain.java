package dev.agentic.ingress.relay;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Graceful shutdown of an ingress: on SIGTERM, before the web server's own graceful shutdown, it
 * turns readiness off (the load balancer stops sending new streams), refuses new queries, and
 * wakes every open stream so it ends with a retryable {@code error} that tells the client to
 * resume elsewhere. Jobs are not touched: they live in Redis, not here.
 */
@Component
public class Drain implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(Drain.class);

    private final ApplicationEventPublisher events;
    private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile boolean draining;

    Drain(ApplicationEventPublisher events) {
        this.events = events;
    }

    /** A request thread that waits on a stream; closing the handle unregisters it. */
    public Registration register() {
        Thread thread = Thread.currentThread();
        waiting.add(thread);
        return () -> waiting.remove(thread);
    }

    public boolean isDraining() {
        return draining;
    }

    /** Also after a pause (Spring's test context cache pauses idle contexts): accept traffic again. */
    @Override
    public void start() {
        running = true;
        if (draining) {
            draining = false;
            AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
        }
    }

    @Override
    public void stop() {
        draining = true;
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        log.info(
                "Ingress draining: readiness off, ending {} open stream(s) so their clients resume elsewhere",
                waiting.size());
        waiting.forEach(Thread::interrupt);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops first: before the web server waits for open requests, which are ours to end. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    /** Unregisters a waiting thread. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
