package dev.orderly.relay.wakeup;

import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.relay.DedicatedConnections;
import dev.orderly.relay.publishing.Relay;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Listens on {@value OutboxNotifier#CHANNEL} and wakes the drainer of the table each notification names, so a row
 * usually goes out milliseconds after its transaction commits instead of at the next poll.
 *
 * <p>Producers notify after their commit ({@link OutboxNotifier}), not from a trigger: PostgreSQL serialises the
 * commits of notifying transactions (see docs/benchmarks.md). The listening session is dedicated (LISTEN belongs to a
 * session; a pooled connection would carry it to other callers) and re-opened with backoff whenever it breaks.
 *
 * <p>Invariant: notifications are only hints. After every (re)connect all drainers are woken, since anything notified
 * while the session was down was lost; and the drainers poll anyway, so a lost notification costs at most one poll
 * interval, never a row.
 */
public final class OutboxNotifications implements SmartLifecycle, Runnable {

    private static final Logger log = LoggerFactory.getLogger(OutboxNotifications.class);

    /** How long one wait for notifications lasts; also how quickly the listener notices shutdown. */
    private static final int RECEIVE_TIMEOUT_MILLIS = 500;

    /** A silent session is checked this often, so a dead one is replaced instead of waited on forever. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private static final int HEARTBEAT_TIMEOUT_SECONDS = 5;

    private static final Duration RECONNECT_INITIAL = Duration.ofMillis(250);

    private final DedicatedConnections connections;
    private final Relay relay;
    private final Duration reconnectMax;
    private final Object lock = new Object();

    private volatile boolean running;
    private volatile boolean listening;
    private @Nullable Thread thread;

    public OutboxNotifications(DedicatedConnections connections, Relay relay, Duration reconnectMax) {
        this.connections = connections;
        this.relay = relay;
        this.reconnectMax = reconnectMax;
    }

    /** Whether the LISTEN session is up (for health details). */
    public boolean listening() {
        return listening;
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (running) {
                return;
            }
            running = true;
            thread = Thread.ofPlatform().name("outbox-relay listen").start(this);
        }
    }

    @Override
    public void stop() {
        Thread listener;
        synchronized (lock) {
            running = false;
            lock.notifyAll();
            listener = thread;
            thread = null;
        }
        if (listener != null) {
            try {
                listener.join(Duration.ofMillis(RECEIVE_TIMEOUT_MILLIS * 4L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void run() {
        Duration backoff = RECONNECT_INITIAL;
        boolean outageLogged = false;
        while (running) {
            try (Connection session = connections.open("listen")) {
                try (Statement statement = session.createStatement()) {
                    statement.execute("LISTEN " + OutboxNotifier.CHANNEL);
                }
                listening = true;
                if (outageLogged) {
                    log.info("Listening for outbox notifications again; looking at every table for missed rows");
                }
                outageLogged = false;
                backoff = RECONNECT_INITIAL;
                relay.wakeAll();
                receive(session.unwrap(PGConnection.class), session);
            } catch (SQLException e) {
                listening = false;
                if (!running) {
                    break;
                }
                if (!outageLogged) {
                    log.warn(
                            "Not listening for outbox notifications ({}): rows are found by polling until the session "
                                    + "is back (re-trying with backoff up to {}). Check that PostgreSQL is reachable.",
                            e.getMessage(),
                            reconnectMax);
                    outageLogged = true;
                }
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(reconnectMax) > 0 ? reconnectMax : backoff.multipliedBy(2);
            } finally {
                listening = false;
            }
        }
    }

    private void receive(PGConnection notifications, Connection session) throws SQLException {
        long lastHeard = System.nanoTime();
        while (running) {
            PGNotification[] received = notifications.getNotifications(RECEIVE_TIMEOUT_MILLIS);
            if (received != null && received.length > 0) {
                lastHeard = System.nanoTime();
                for (PGNotification notification : received) {
                    relay.wake(notification.getParameter());
                }
            } else if (System.nanoTime() - lastHeard > HEARTBEAT.toNanos()) {
                if (!session.isValid(HEARTBEAT_TIMEOUT_SECONDS)) {
                    throw new SQLException("the listening session stopped answering");
                }
                lastHeard = System.nanoTime();
            }
        }
    }

    private void pause(Duration duration) {
        synchronized (lock) {
            if (!running) {
                return;
            }
            try {
                lock.wait(duration.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }
}
