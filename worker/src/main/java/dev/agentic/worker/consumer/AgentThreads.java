package dev.agentic.worker.consumer;

import dev.agentic.worker.agent.Agent;
import dev.agentic.worker.agent.AgentResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Where agents run, sized by what they wait on. A worker has {@code concurrency} job slots. An agent
 * that mostly waits (for an LLM, a store) runs on a virtual thread of its own ({@code agent-io-N}),
 * so a worker holds hundreds of LLM streams; an agent that {@linkplain Agent#computes() computes}
 * runs on a small fixed pool of platform threads ({@code agent-cpu-1} ... {@code
 * agent-cpu-<cpu-concurrency>}), queueing for one while the pool is busy. A platform thread is
 * preempted by the OS, so an agent that computes without end costs one core's share, never the
 * virtual threads' carriers (the consume loop, Redis replies, health checks keep running).
 *
 * <p>A slot is held until both its job and its agent have returned: an agent that ignores
 * interrupts keeps its slot (and its thread) after its job was ended, so the worker never takes
 * more jobs than it has slots, and {@link #oldestStuck()} tells liveness. The consume loop stops
 * reading while as many computing agents wait for a thread as the pool has threads ({@link
 * #awaitComputeRoom()}), so one worker never hoards CPU-bound jobs other workers could run.
 */
public final class AgentThreads implements AutoCloseable {
    private final Semaphore slots;
    private final int cpuConcurrency;
    private final ExecutorService cpu;
    private final ExecutorService io;
    private final Duration stuckGrace;
    private final Set<AgentCall> stuck = ConcurrentHashMap.newKeySet();
    /** Computing agents submitted to the pool that have not started yet. */
    private final AtomicInteger computeWaiting = new AtomicInteger();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition computeRoom = lock.newCondition();

    /**
     * @param concurrency job slots
     * @param cpuConcurrency platform threads for agents that compute
     * @param stuckGrace how long an agent may take to return once interrupted before it counts as stuck
     */
    public AgentThreads(int concurrency, int cpuConcurrency, Duration stuckGrace) {
        if (concurrency < 1 || cpuConcurrency < 1) {
            throw new IllegalArgumentException("concurrency and cpu-concurrency must be at least 1");
        }
        this.slots = new Semaphore(concurrency);
        this.cpuConcurrency = cpuConcurrency;
        this.stuckGrace = stuckGrace;
        this.cpu = Executors.newFixedThreadPool(
                cpuConcurrency,
                Thread.ofPlatform().name("agent-cpu-", 1).daemon().factory());
        this.io = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("agent-io-", 1).factory());
    }

    /** Waits for a free slot. */
    Slot acquire() throws InterruptedException {
        slots.acquire();
        return new Slot();
    }

    /** Up to {@code max} more slots, those free right now (possibly none). */
    List<Slot> tryAcquire(int max) {
        List<Slot> taken = new ArrayList<>();
        while (taken.size() < max && slots.tryAcquire()) {
            taken.add(new Slot());
        }
        return taken;
    }

    /** Waits while as many computing agents wait for a thread as the pool has threads. */
    void awaitComputeRoom() throws InterruptedException {
        lock.lock();
        try {
            while (computeWaiting.get() >= cpuConcurrency) {
                computeRoom.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Computing agents waiting for a thread of the pool. */
    public int computeWaiting() {
        return computeWaiting.get();
    }

    /** How long the agent stuck the longest has been so; empty when none is. */
    public Optional<Duration> oldestStuck() {
        long now = System.nanoTime();
        return stuck.stream().mapToLong(call -> now - call.stuckSince).max().stream()
                .mapToObj(Duration::ofNanos)
                .findFirst();
    }

    /** Agents that did not return within the grace after their interrupt and still run. */
    public int stuckCount() {
        return stuck.size();
    }

    /** Slots neither a job nor a stuck agent holds. */
    public int freeSlots() {
        return slots.availablePermits();
    }

    @Override
    public void close() {
        cpu.shutdownNow();
        io.shutdownNow();
    }

    private void computeStarted() {
        computeWaiting.decrementAndGet();
        lock.lock();
        try {
            computeRoom.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** One job's claim on a thread: released when its job and its agent (if started) have both returned. */
    final class Slot {
        private final AtomicInteger holders = new AtomicInteger(1);

        /**
         * Runs the agent, on a platform thread of the pool if it {@code computes}, else on a virtual
         * thread; the slot stays held until it returns.
         */
        AgentCall start(String requestId, AgentTask task, boolean computes) {
            holders.incrementAndGet();
            AgentCall call = new AgentCall(this, requestId, task);
            if (computes) {
                computeWaiting.incrementAndGet();
                cpu.execute(() -> {
                    computeStarted();
                    call.run();
                });
            } else {
                io.execute(call::run);
            }
            return call;
        }

        /** The job's (or the agent's) part is done; the last one frees the slot. */
        void release() {
            if (holders.decrementAndGet() == 0) {
                slots.release();
            }
        }
    }

    /** An agent's run. */
    @FunctionalInterface
    interface AgentTask {
        AgentResult run() throws Exception;
    }

    /** How an agent's run ended. */
    sealed interface End {
        record Returned(AgentResult result) implements End {}

        record Threw(Throwable error) implements End {}
    }

    /** One agent running on an agent thread. */
    final class AgentCall {
        private final Slot slot;
        private final String requestId;
        private final AgentTask task;
        private final CompletableFuture<End> end = new CompletableFuture<>();
        private @Nullable Thread thread; // guarded by this
        private volatile boolean interrupted;
        private volatile long stuckSince;

        private AgentCall(Slot slot, String requestId, AgentTask task) {
            this.slot = slot;
            this.requestId = requestId;
            this.task = task;
        }

        CompletableFuture<End> end() {
            return end;
        }

        /** How long the agent may take to return once interrupted. */
        Duration stuckGrace() {
            return stuckGrace;
        }

        /**
         * Interrupts the agent (now, or as soon as it starts). Under the call's lock, which the
         * agent thread also holds while it starts and ends, so an interrupt never lands on the
         * next agent that thread runs.
         */
        synchronized void interrupt() {
            interrupted = true;
            Thread running = thread;
            if (running != null) {
                running.interrupt();
            }
        }

        /** The agent did not return within the grace: counted until it does. */
        void markStuck() {
            stuckSince = System.nanoTime();
            stuck.add(this);
            if (end.isDone()) {
                stuck.remove(this); // it returned meanwhile
            }
        }

        private void run() {
            synchronized (this) {
                thread = Thread.currentThread();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            MDC.put("requestId", requestId);
            try {
                end.complete(new End.Returned(task.run()));
            } catch (Throwable e) { // Errors too: the job must learn that its agent ended
                end.complete(new End.Threw(e));
            } finally {
                synchronized (this) {
                    thread = null;
                    Thread.interrupted(); // an interrupt that raced the end must not reach the next agent
                }
                MDC.remove("requestId");
                stuck.remove(this);
                slot.release();
            }
        }
    }
}
