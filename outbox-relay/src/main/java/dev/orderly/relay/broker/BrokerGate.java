package dev.orderly.relay.broker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionBlockedEvent;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.connection.ConnectionUnblockedEvent;
import org.springframework.context.event.EventListener;

/**
 * Says whether RabbitMQ lets the relay publish now, and rings the drainers when that changes.
 *
 * <p>RabbitMQ blocks a publishing connection while one of its resource alarms (memory, disk) is on: the relay then
 * starts no batch until the broker says {@code connection.unblocked} (gauge {@code orderly.outbox.blocked}). The other
 * reason not to publish, repeated broker failures, is each table's circuit breaker, kept by its drainer.
 *
 * <p>Invariant: "blocked" never outlives the connection it was said about. A connection that closes while blocked
 * (the broker restarted) will never be unblocked, so closing or opening a connection clears it.
 */
public final class BrokerGate implements ConnectionListener {

    private static final Logger log = LoggerFactory.getLogger(BrokerGate.class);

    private final AtomicBoolean blocked = new AtomicBoolean();
    private final List<Runnable> reopenListeners = new CopyOnWriteArrayList<>();

    public BrokerGate(MeterRegistry meters) {
        Gauge.builder("orderly.outbox.blocked", blocked, flag -> flag.get() ? 1 : 0)
                .description("1 while RabbitMQ blocks the relay's connection (a memory or disk alarm); nothing is "
                        + "published meanwhile")
                .register(meters);
    }

    /** Whether RabbitMQ currently blocks the relay's connection. */
    public boolean blocked() {
        return blocked.get();
    }

    /** Registers something to run whenever the connection is no longer blocked. */
    public void onReopen(Runnable listener) {
        reopenListeners.add(listener);
    }

    @EventListener
    void on(ConnectionBlockedEvent event) {
        if (blocked.compareAndSet(false, true)) {
            log.warn(
                    "RabbitMQ blocked the relay's connection ({}): publishing pauses until it is unblocked. The broker "
                            + "raises this on a memory or disk alarm; see its log and free the resource.",
                    event.getReason());
        }
    }

    @EventListener
    void on(ConnectionUnblockedEvent event) {
        if (blocked.compareAndSet(true, false)) {
            log.info("RabbitMQ unblocked the relay's connection: publishing resumes");
            reopened();
        }
    }

    @Override
    public void onCreate(Connection connection) {
        if (blocked.compareAndSet(true, false)) {
            log.info("New connection to RabbitMQ: the previous one's block no longer applies");
            reopened();
        }
    }

    @Override
    public void onClose(Connection connection) {
        if (blocked.compareAndSet(true, false)) {
            log.info("The blocked connection to RabbitMQ closed; publishing resumes on a new one");
            reopened();
        }
    }

    private void reopened() {
        reopenListeners.forEach(Runnable::run);
    }
}
