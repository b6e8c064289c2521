package dev.orderly.relay.publishing;

import dev.orderly.messaging.outbox.OutboxTable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The relay's engine: one drainer thread per configured outbox table, started with the application and stopped
 * gracefully before its connections close.
 *
 * <p>Graceful shutdown: every drainer stops taking new rows, waits for the confirms of what it already sent (at most
 * {@code confirm-timeout}), marks what was confirmed, and releases its lease so a standby takes over at once. The
 * relay stops in the last lifecycle phase to begin and before the connection factory and pool are closed.
 *
 * <p>Invariant: at most one drainer per table in this process (tables are de-duplicated by the properties), and a
 * drainer thread is joined before {@link #stop()} returns, unless it overruns its bound, which is logged.
 */
public final class Relay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final Map<OutboxTable, TableDrainer> drainers = new LinkedHashMap<>();
    private final Duration stopTimeout;
    private final Map<OutboxTable, Thread> threads = new LinkedHashMap<>();
    private volatile boolean running;

    Relay(List<TableDrainer> drainers, Duration stopTimeout, MeterRegistry meters) {
        for (TableDrainer drainer : drainers) {
            this.drainers.put(drainer.table(), drainer);
            String source = drainer.table().qualifiedName();
            Gauge.builder("orderly.outbox.failing", drainer, d -> d.status().failing() == null ? 0 : 1)
                    .description("1 while the table's oldest unpublished row has failed repeatedly and holds back "
                            + "the rows after it")
                    .tag("source", source)
                    .register(meters);
            Gauge.builder("orderly.outbox.lease", drainer, d -> d.status().active() ? 1 : 0)
                    .description("1 if this instance is the active relay for the table, 0 while it stands by")
                    .tag("source", source)
                    .register(meters);
        }
        this.stopTimeout = stopTimeout;
    }

    /** Wakes the drainer of the table named {@code qualifiedName} (a notification's payload); ignores other names. */
    public void wake(String qualifiedName) {
        for (Map.Entry<OutboxTable, TableDrainer> entry : drainers.entrySet()) {
            if (entry.getKey().qualifiedName().equals(qualifiedName)) {
                entry.getValue().wake();
                return;
            }
        }
        log.debug("Notification for {}, which this relay does not drain; ignored", qualifiedName);
    }

    /** Wakes every drainer: notifications may have been missed. */
    public void wakeAll() {
        drainers.values().forEach(TableDrainer::wake);
    }

    /** Tells every drainer that waits for the broker that it may publish again (its connection was unblocked). */
    public void resumeAll() {
        drainers.values().forEach(TableDrainer::resume);
    }

    /** A snapshot of every table's drainer, in configuration order. */
    public List<TableStatus> statuses() {
        return drainers.values().stream().map(TableDrainer::status).toList();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        for (TableDrainer drainer : drainers.values()) {
            Thread thread = Thread.ofPlatform()
                    .name("outbox-relay " + drainer.table().qualifiedName())
                    .uncaughtExceptionHandler((t, e) -> log.error(
                            "The drainer of {} died of an unexpected error; liveness now reports DOWN so the process "
                                    + "is restarted",
                            drainer.table(),
                            e))
                    .start(drainer);
            threads.put(drainer.table(), thread);
        }
        running = true;
        log.info("Outbox relay started for {}", drainers.keySet());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        drainers.values().forEach(TableDrainer::requestStop);
        long deadline = System.nanoTime() + stopTimeout.toNanos();
        for (Map.Entry<OutboxTable, Thread> entry : threads.entrySet()) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                if (!entry.getValue().join(Duration.ofNanos(left))) {
                    log.warn(
                            "The drainer of {} did not finish within {}; closing anyway. Rows it sent without a "
                                    + "confirm stay unpublished and go out again.",
                            entry.getKey(),
                            stopTimeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
