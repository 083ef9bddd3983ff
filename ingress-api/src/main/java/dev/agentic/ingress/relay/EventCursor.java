package dev.agentic.ingress.relay;

import dev.agentic.model.EventId;
import dev.agentic.model.LoggedEvent;
import dev.agentic.model.RedisKeys;
import dev.agentic.model.StreamEvent;
import dev.agentic.redis.EventLog;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One client's position in a request's event stream. It listens on its instance's relay channel
 * before its instance joins the request's relays and before it first reads the log, then takes live
 * batches; a batch whose first new event's previous id is not the last one delivered reveals a gap
 * (pub/sub is at-most-once), which is filled from the log. Events are delivered in log order with
 * no gap and no duplicate. A cursor whose instance could not join the relays (the request not yet
 * opened, or followed by the most instances already) reads the log at short intervals instead.
 *
 * <p>It also bounds the wait: once {@code endByMs} (the request's deadline plus the terminal grace)
 * has passed without a terminal event, it ends the request itself with {@code error}
 * {@code deadline_exceeded} through {@link EventLog#end} and delivers whichever terminal event the
 * log holds then (the emit script keeps exactly one: a worker's written meanwhile wins). When the
 * request's hash and log are gone, it throws {@link RequestExpiredException}.
 */
public final class EventCursor implements AutoCloseable {
    /** Live batches waiting for the client; beyond this, they are dropped and read from the log. */
    private static final int LIVE_CAPACITY = 1024;

    /** How often a cursor without live batches reads the log. */
    private static final Duration UNFOLLOWED_POLL = Duration.ofMillis(200);

    private static final int LOG_PAGE = 500;

    private final String requestId;
    private final EventLog log;
    private final BlockingQueue<List<LoggedEvent>> live = new LinkedBlockingQueue<>(LIVE_CAPACITY);
    private final String relayChannel;
    private final Subscriptions.Subscription subscription;
    private final long endByMs;
    private final Clock clock;
    private EventId last;
    private boolean logHasMore = true;
    private boolean firstRead = true;
    private boolean finished;
    /** This instance is in the request's relays (so live batches come). */
    private boolean followed;
    /** What the log held when this cursor's request was opened, delivered without reading it. */
    private List<LoggedEvent> opened = List.of();

    /**
     * @param after deliver only events after this id ({@link EventId#ZERO} for all)
     * @param endByMs epoch millis by which the request must have its terminal event (its deadline
     *     plus the grace), after which this cursor ends it
     */
    EventCursor(String requestId, EventLog log, Subscriptions subscriptions, EventId after, long endByMs, Clock clock) {
        this.requestId = requestId;
        this.log = log;
        this.last = after;
        this.endByMs = endByMs;
        this.clock = clock;
        this.relayChannel = subscriptions.channel();
        this.subscription = subscriptions.subscribe(requestId, live::offer);
    }

    /** The relay channel of this cursor's instance, for the request's relays. */
    public String relayChannel() {
        return relayChannel;
    }

    /**
     * The request was just opened through this cursor's relay channel, and its log holds exactly
     * {@code queued}: the first read delivers it without reading the log.
     */
    public void opened(LoggedEvent queued) {
        if (firstRead && last.equals(EventId.ZERO)) {
            opened = List.of(queued);
        }
        followed = true;
    }

    /** This cursor's relay channel joined the request's relays (an attach did it). */
    public void followed() {
        followed = true;
    }

    /**
     * The next events, waiting up to {@code wait} for one. An empty list means nothing happened
     * within the wait (time for a heartbeat). After the terminal event it returns nothing more.
     *
     * @throws RequestExpiredException when the request is overdue and its log is gone
     */
    public List<LoggedEvent> next(Duration wait) throws InterruptedException {
        if (finished) {
            return List.of();
        }
        if (firstRead) {
            firstRead = false;
            follow();
            if (!opened.isEmpty()) {
                List<LoggedEvent> first = opened;
                opened = List.of();
                logHasMore = false; // the log held just that when it was opened: the rest comes live
                return deliver(first);
            }
            return firstPage();
        }
        if (logHasMore) {
            return readLog();
        }
        long untilEnd = endByMs - clock.millis();
        if (untilEnd <= 0) {
            return endOverdue();
        }
        Duration bounded = followed || wait.compareTo(UNFOLLOWED_POLL) < 0 ? wait : UNFOLLOWED_POLL;
        long deadline = System.nanoTime() + Math.min(bounded.toNanos(), TimeUnit.MILLISECONDS.toNanos(untilEnd));
        while (true) {
            List<LoggedEvent> batch = live.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (batch == null) {
                // Idle: a lost wake-up must not stall the stream, so look at the log.
                follow();
                return readLog();
            }
            List<LoggedEvent> fresh = after(batch, last);
            if (fresh.isEmpty()) {
                continue; // already delivered from the log
            }
            if (isChain(fresh, last)) {
                return deliver(fresh);
            }
            return readLog();
        }
    }

    /** Joins the request's relays unless it already has. */
    private void follow() {
        if (!followed) {
            followed = log.follow(requestId, relayChannel);
        }
    }

    /** The events of a batch after {@code last}. */
    private static List<LoggedEvent> after(List<LoggedEvent> batch, EventId last) {
        int from = 0;
        while (from < batch.size() && !batch.get(from).id().isAfter(last)) {
            from++;
        }
        return batch.subList(from, batch.size());
    }

    /** Whether the events follow {@code last} and one another with nothing missing between. */
    private static boolean isChain(List<LoggedEvent> events, EventId last) {
        EventId previous = last;
        for (LoggedEvent event : events) {
            if (!Objects.equals(event.previous(), previous)) {
                return false;
            }
            previous = event.id();
        }
        return true;
    }

    /**
     * The first page of the log; a request that has ended with nothing after {@code after} (a
     * client resuming after the terminal event, or a replay whose log has expired) finishes the
     * cursor at once instead of waiting for the deadline.
     */
    private List<LoggedEvent> firstPage() {
        List<LoggedEvent> page = readLog();
        if (page.isEmpty() && hasEnded()) {
            page = readLog(); // the terminal may have been written between the two reads
            finished = finished || page.isEmpty();
        }
        return page;
    }

    public boolean isFinished() {
        return finished;
    }

    private List<LoggedEvent> endOverdue() {
        log.end(requestId, overdue());
        List<LoggedEvent> page = readLog();
        if (page.isEmpty() && !finished) {
            if (hasEnded()) {
                finished = true; // resumed after its terminal event: nothing more to deliver
                return page;
            }
            // No terminal although the request is ended or unknown: its hash and log are gone.
            throw new RequestExpiredException(requestId);
        }
        return page;
    }

    private boolean hasEnded() {
        String status = log.status(requestId).get(RedisKeys.STATUS_FIELD);
        return "done".equals(status) || "error".equals(status);
    }

    private static StreamEvent.Error overdue() {
        return new StreamEvent.Error(
                "deadline_exceeded", "No answer by the request's deadline; the ingress ended it", false);
    }

    private List<LoggedEvent> readLog() {
        List<LoggedEvent> page = log.readAfter(requestId, last, LOG_PAGE);
        logHasMore = page.size() == LOG_PAGE;
        return deliver(page);
    }

    private List<LoggedEvent> deliver(List<LoggedEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            LoggedEvent event = events.get(i);
            last = event.id();
            if (event.isTerminal()) {
                finished = true;
                return events.subList(0, i + 1);
            }
        }
        return events;
    }

    @Override
    public void close() {
        subscription.close();
    }
}
