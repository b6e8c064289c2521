package dev.orderly.relay.publishing;

import dev.orderly.relay.outbox.OutboxPartition;
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
 * The relay's engine: one drainer thread per partition of each configured outbox table (one per table unless the tables
 * are divided), started with the application and stopped gracefully before its connections close.
 *
 * <p>Graceful shutdown: every drainer stops taking new rows, waits for the confirms of what it already sent (at most
 * {@code confirm-timeout}), marks what was confirmed, and releases its lease so a standby takes over at once. The
 * relay stops in the last lifecycle phase to begin and before the connection factory and pool are closed.
 *
 * <p>Invariant: at most one drainer per partition in this process (tables are de-duplicated by the properties), and a
 * drainer thread is joined before {@link #stop()} returns, unless it overruns its bound, which is logged.
 */
public final class Relay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final Map<OutboxPartition, TableDrainer> drainers = new LinkedHashMap<>();
    private final Duration stopTimeout;
    private final Map<OutboxPartition, Thread> threads = new LinkedHashMap<>();
    private volatile boolean running;

    Relay(List<TableDrainer> drainers, Duration stopTimeout, MeterRegistry meters) {
        for (TableDrainer drainer : drainers) {
            this.drainers.put(drainer.partition(), drainer);
            String source = drainer.table().qualifiedName();
            String partition = Integer.toString(drainer.partition().index());
            Gauge.builder("orderly.outbox.failing", drainer, d -> d.status().failing() == null ? 0 : 1)
                    .description("1 while the partition's oldest unpublished row has failed repeatedly and holds back "
                            + "the rows after it")
                    .tag("source", source)
                    .tag("partition", partition)
                    .register(meters);
            Gauge.builder("orderly.outbox.lease", drainer, d -> d.status().active() ? 1 : 0)
                    .description("1 if this instance is the active relay for the table's partition (the table unless "
                            + "it is divided), 0 while it stands by")
                    .tag("source", source)
                    .tag("partition", partition)
                    .register(meters);
        }
        this.stopTimeout = stopTimeout;
    }

    /**
     * Wakes the drainers of the table named {@code qualifiedName} (a notification's payload), each of its partitions';
     * ignores other names.
     */
    public void wake(String qualifiedName) {
        boolean woken = false;
        for (Map.Entry<OutboxPartition, TableDrainer> entry : drainers.entrySet()) {
            if (entry.getKey().table().qualifiedName().equals(qualifiedName)) {
                entry.getValue().wake();
                woken = true;
            }
        }
        if (!woken) {
            log.debug("Notification for {}, which this relay does not drain; ignored", qualifiedName);
        }
    }

    /** Wakes every drainer: notifications may have been missed. */
    public void wakeAll() {
        drainers.values().forEach(TableDrainer::wake);
    }

    /** Tells every drainer that waits for the broker that it may publish again (its connection was unblocked). */
    public void resumeAll() {
        drainers.values().forEach(TableDrainer::resume);
    }

    /** A snapshot of every partition's drainer, in configuration order, each table's partitions in order. */
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
                    .name("outbox-relay " + drainer.partition())
                    .uncaughtExceptionHandler((t, e) -> log.error(
                            "The drainer of {} died of an unexpected error; liveness now reports DOWN so the process "
                                    + "is restarted",
                            drainer.partition(),
                            e))
                    .start(drainer);
            threads.put(drainer.partition(), thread);
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
        for (Map.Entry<OutboxPartition, Thread> entry : threads.entrySet()) {
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
