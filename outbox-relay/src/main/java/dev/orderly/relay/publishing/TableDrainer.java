package dev.orderly.relay.publishing;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.broker.BrokerGate;
import dev.orderly.relay.lease.AdvisoryLease;
import dev.orderly.relay.lease.Partitioning;
import dev.orderly.relay.outbox.OutboxPartition;
import dev.orderly.relay.outbox.OutboxRow;
import dev.orderly.relay.outbox.OutboxRows;
import dev.orderly.relay.publishing.ConfirmedPublisher.RunResult;
import dev.orderly.relay.publishing.TableStatus.State;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains one partition of an outbox table (the whole table unless it is divided): while this instance holds the
 * partition's lease, reads its oldest unpublished rows, publishes them with confirms (batch after batch on one channel
 * while there are more) and marks the confirmed prefix published; otherwise stands by and tries to take the lease
 * over, within this instance's share of the table's partitions, handing a partition over when another instance needs
 * its share.
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>a row is marked published only after the broker acked it without returning it ({@link ConfirmedPublisher});
 *   <li>rows go out in id order as far as their commits allow: a run starts from the oldest unpublished row, reads
 *       on after the last row it sent and looks again for the rows its reads skipped because they were not committed
 *       yet ({@link SkippedIds}); after a failure everything from the failed row on is read and sent again
 *       (duplicates are possible, gaps are not);
 *   <li>nothing is published without the partition's lease: before a batch is read, the lease was acquired or
 *       checked ({@link AdvisoryLease#verify()}) at most {@code lease.verify-interval} ago;
 *   <li>a failing row is never skipped: it blocks its table until it goes out ({@link RowFailures} records its
 *       attempts and reports it);
 *   <li>the loop survives every exception (database or broker down) and only ends on shutdown, after which the lease
 *       is released.
 * </ul>
 *
 * <p>The loop is {@link #drainOnce()}: lease, then blocked connection or open circuit, then read, publish and handle
 * the outcome. What the circuit breaker's transitions mean for the loop is {@link BreakerTransitions}'; what a failed
 * row is told and how it is flagged is {@link RowFailures}'.
 *
 * <p>Runs on its own thread; the other methods are safe to call from any thread.
 */
final class TableDrainer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(TableDrainer.class);

    private final OutboxRows rows;
    private final AdvisoryLease lease;
    private final ConfirmedPublisher publisher;
    private final BrokerGate gate;
    private final CircuitBreaker breaker;
    private final TableMetrics metrics;
    private final Settings settings;
    private final Wakeup wakeup = new Wakeup();
    private final RowFailures rowFailures;
    /**
     * The ids the reads skipped (not committed yet), across runs: a run's first read, from the oldest unpublished row,
     * may skip one too. Only for an undivided table: a partition's reads skip the other partitions' rows, which would
     * all look like rows not committed yet. Owned by the drainer's thread.
     */
    private final SkippedIds skipped;

    private volatile State state = State.STARTING;
    private volatile int consecutiveFailures;
    private volatile boolean alive;
    private volatile @Nullable String disagreement;
    private boolean standbyLogged;
    /** {@link System#nanoTime()} when the lease was last acquired or checked held; meaningful while it is held. */
    private long leaseConfirmedAt;

    /**
     * @param batchSize rows per batch
     * @param pollInterval the longest wait for work without a notification
     * @param leaseRetryInterval how often a standby tries to take the lease
     * @param leaseVerifyInterval how long a check that the lease is still held (or its acquisition) stands for: the
     *     lease is checked before a batch is read only if its last check is older (zero: before every batch)
     * @param skippedRowTimeout how long a run looks again for a row its reads skipped (not yet committed); zero
     *     leaves such rows to the next run
     * @param backoff pauses after failed batches
     * @param flagAfterAttempts failed attempts after which a row is reported as repeatedly failing
     */
    record Settings(
            int batchSize,
            Duration pollInterval,
            Duration leaseRetryInterval,
            Duration leaseVerifyInterval,
            Duration skippedRowTimeout,
            Backoff backoff,
            int flagAfterAttempts) {}

    TableDrainer(
            OutboxRows rows,
            AdvisoryLease lease,
            ConfirmedPublisher publisher,
            BrokerGate gate,
            CircuitBreaker breaker,
            TableMetrics metrics,
            Settings settings) {
        this.rows = rows;
        this.lease = lease;
        this.publisher = publisher;
        this.gate = gate;
        this.breaker = breaker;
        this.metrics = metrics;
        this.settings = settings;
        this.rowFailures = new RowFailures(rows, publisher.exchange(), settings.flagAfterAttempts());
        this.skipped = new SkippedIds(partition().isWhole() ? settings.skippedRowTimeout() : Duration.ZERO);
        BreakerTransitions.listen(breaker, table(), wakeup, partition().index() == 0);
    }

    OutboxTable table() {
        return rows.table();
    }

    OutboxPartition partition() {
        return rows.partition();
    }

    /** New rows may be there (a notification, or notifications may have been missed): look now. */
    void wake() {
        wakeup.ring();
    }

    /** The broker may take messages again (a connection unblocked): stop waiting for it. */
    void resume() {
        wakeup.resume();
    }

    /** Stops taking new rows; the current batch finishes (its confirms awaited, bounded) and the lease is released. */
    void requestStop() {
        wakeup.stop();
    }

    TableStatus status() {
        return new TableStatus(
                partition(), lease.isHeld(), state, rowFailures.flagged(), consecutiveFailures, alive, disagreement);
    }

    @Override
    public void run() {
        alive = true;
        try {
            while (!wakeup.stopped()) {
                try {
                    drainOnce();
                } catch (RuntimeException e) {
                    int failures = ++consecutiveFailures;
                    Duration delay = settings.backoff().delay(failures);
                    state = State.BACKING_OFF;
                    log.warn(
                            "Draining {} failed ({}); retrying in {}. The relay keeps trying; check that PostgreSQL "
                                    + "is reachable and the relay's role may read and update the table.",
                            partition(),
                            e.toString(),
                            delay);
                    wakeup.pause(delay, Wakeup.Until.TIMEOUT);
                }
            }
        } finally {
            lease.release();
            state = State.STOPPED;
            alive = false;
            log.info("Stopped draining {}; its lease is released", partition());
        }
    }

    /**
     * One step: make sure of the lease; wait while the broker blocks the connection or the circuit is open; read the
     * oldest unpublished rows (or wait for work if there are none); publish them, and the rows after them on the same
     * channel while there are more; then back off if that failed, or wait for work once caught up.
     */
    private void drainOnce() {
        if (!holdLease()) {
            return;
        }
        // While the broker cannot take anything, only its becoming usable again ends the wait, not new rows.
        if (gate.blocked()) {
            state = State.BLOCKED;
            wakeup.pause(settings.pollInterval(), Wakeup.Until.RESUME);
            return;
        }
        if (circuitOpen()) {
            state = State.CIRCUIT_OPEN;
            wakeup.pause(settings.pollInterval(), Wakeup.Until.RESUME);
            return;
        }
        wakeup.clear();
        List<OutboxRow> batch = rows.unpublished(settings.batchSize());
        if (batch.isEmpty()) {
            state = State.IDLE;
            rowFailures.drained();
            wakeup.pause(settings.pollInterval(), Wakeup.Until.WORK);
            return;
        }
        rowFailures.oldestUnpublished(batch.getFirst());
        if (!breaker.tryAcquirePermission()) {
            state = State.CIRCUIT_OPEN;
            wakeup.pause(settings.pollInterval(), Wakeup.Until.RESUME);
            return;
        }
        state = State.PUBLISHING;
        Continuation continuation = new Continuation(batch);
        PublishFailure failure = publish(batch, continuation);
        if (failure != null) {
            handle(failure);
            return;
        }
        consecutiveFailures = 0;
        if (continuation.caughtUp) {
            state = State.IDLE;
            wakeup.pause(settings.pollInterval(), Wakeup.Until.WORK);
        }
    }

    /**
     * Runs the publisher from {@code batch} on, with the breaker's permission already acquired, and tells the breaker
     * how it went: only a failure that says the broker is unwell counts against it.
     *
     * @return why the run stopped before its last row was confirmed, or null if every row it sent was
     */
    private @Nullable PublishFailure publish(List<OutboxRow> batch, Continuation continuation) {
        long began = System.nanoTime();
        RunResult result;
        try {
            result = publisher.publish(batch, continuation, metrics.confirm());
        } catch (RuntimeException e) {
            // The database failed mid-run (reading the next batch or marking): says nothing about the broker.
            breaker.releasePermission();
            throw e;
        }
        PublishFailure failure = result.failure();
        if (failure != null && failure.brokerFault()) {
            breaker.onError(System.nanoTime() - began, TimeUnit.NANOSECONDS, new BrokerFailure(failure.detail()));
        } else {
            breaker.onSuccess(System.nanoTime() - began, TimeUnit.NANOSECONDS);
        }
        return failure;
    }

    /**
     * Feeds a run the rows after its current batch while the table has more (checking the lease before each read),
     * and marks what the broker confirmed.
     */
    private final class Continuation implements ConfirmedPublisher.RowStream {

        /** Whether the last read returned less than a full batch: the table is drained up to now. */
        boolean caughtUp;

        Continuation(List<OutboxRow> firstBatch) {
            this.caughtUp = firstBatch.size() < settings.batchSize();
            skipped.read(firstBatch, System.nanoTime());
        }

        @Override
        public List<OutboxRow> next(long lastId) {
            if ((caughtUp && !wakeup.rung()) || !keepSending()) {
                return List.of();
            }
            if (!verifyLease()) {
                leaseLost();
                return List.of();
            }
            if (lease.shouldHandOver()) {
                // Ends the run with everything it sent confirmed and marked; drainOnce() then hands the lease over.
                return List.of();
            }
            wakeup.clear();
            long now = System.nanoTime();
            List<OutboxRow> next = rows.unpublishedAfterOrAmong(lastId, skipped.lookFor(now), settings.batchSize());
            skipped.read(next, now);
            caughtUp = next.size() < settings.batchSize();
            return next;
        }

        @Override
        public boolean keepSending() {
            // A blocked connection would block the next send; end the run and let drainOnce() pause instead.
            return !wakeup.stopped() && lease.isHeld() && !gate.blocked();
        }

        @Override
        public void awaitActivity(long deadline) {
            wakeup.awaitActivity(deadline);
        }

        @Override
        public void confirmArrived() {
            wakeup.poke();
        }

        @Override
        public void confirmed(List<OutboxRow> rows) {
            markPublished(rows);
        }
    }

    private boolean circuitOpen() {
        CircuitBreaker.State current = breaker.getState();
        return current == CircuitBreaker.State.OPEN || current == CircuitBreaker.State.FORCED_OPEN;
    }

    private boolean holdLease() {
        if (lease.isHeld()) {
            if (!verifyLease()) {
                leaseLost();
                return false;
            }
            if (!lease.shouldHandOver()) {
                return true;
            }
            handOver();
            return false;
        }
        boolean acquired;
        try {
            acquired = lease.tryAcquire();
        } catch (Partitioning.PartitionsDisagree e) {
            state = State.STANDBY;
            if (disagreement == null) {
                log.error("Not publishing {}: {}", partition(), e.getMessage());
            }
            disagreement = e.getMessage();
            wakeup.pause(settings.leaseRetryInterval(), Wakeup.Until.TIMEOUT);
            return false;
        } catch (SQLException e) {
            state = State.STANDBY;
            log.warn(
                    "Could not try to take the lease on {}: {}. Retrying in {}; check that PostgreSQL is reachable.",
                    partition(),
                    e.getMessage(),
                    settings.leaseRetryInterval());
            wakeup.pause(settings.leaseRetryInterval(), Wakeup.Until.TIMEOUT);
            return false;
        }
        if (disagreement != null) {
            log.info("{}: no relay instance divides the table otherwise any more", partition());
            disagreement = null;
        }
        if (acquired) {
            leaseConfirmedAt = System.nanoTime();
            log.info(
                    "This instance is now the active relay for {} (advisory lock {}); publishing from its oldest "
                            + "unpublished row",
                    partition(),
                    lease.key());
            standbyLogged = false;
            return true;
        }
        if (!standbyLogged) {
            log.info(
                    "Standing by for {}: another instance holds its lease (advisory lock {}), or this one already "
                            + "publishes its share of the table's partitions; trying every {}",
                    partition(),
                    lease.key(),
                    settings.leaseRetryInterval());
            standbyLogged = true;
        }
        state = State.STANDBY;
        wakeup.pause(settings.leaseRetryInterval(), Wakeup.Until.TIMEOUT);
        return false;
    }

    /**
     * Whether the lease is still held: known without a round trip while its last check (or its acquisition) is more
     * recent than {@code lease.verify-interval}, otherwise checked now. The interval widens the zombie window (see
     * docs/outbox-relay.md): an instance whose session broke may go on publishing for up to that long, duplicates of
     * what the new holder sends, never a gap.
     */
    private boolean verifyLease() {
        long now = System.nanoTime();
        if (lease.isHeld()
                && now - leaseConfirmedAt < settings.leaseVerifyInterval().toNanos()) {
            return true;
        }
        metrics.leaseChecked();
        boolean held = lease.verify();
        if (held) {
            leaseConfirmedAt = now;
        }
        return held;
    }

    private void leaseLost() {
        log.warn(
                "Lost the lease on {} (its database session broke or timed out): stopped publishing it; another "
                        + "instance may take over. Trying to take it back every {}.",
                partition(),
                settings.leaseRetryInterval());
        state = State.STANDBY;
        standbyLogged = true;
    }

    /**
     * Gives the partition up between two runs, everything sent confirmed and marked, so that an instance that joined
     * takes it: this one holds more than its share now.
     */
    private void handOver() {
        lease.release();
        log.info(
                "Handed {} over: another relay instance shares the table now, and this one publishes its share of "
                        + "the partitions without it",
                partition());
        state = State.STANDBY;
        standbyLogged = true;
        wakeup.pause(settings.leaseRetryInterval(), Wakeup.Until.TIMEOUT);
    }

    private void markPublished(List<OutboxRow> confirmed) {
        if (confirmed.isEmpty()) {
            return;
        }
        long[] ids = new long[confirmed.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = confirmed.get(i).id();
        }
        // A row a read had skipped goes out after later ones: sorted, the first and last are the range marked.
        java.util.Arrays.sort(ids);
        // If this update fails, the rows stay unpublished and go out again: a duplicate, never a loss.
        rows.markPublished(ids);
        for (OutboxRow row : confirmed) {
            metrics.published(row.eventType());
        }
        rowFailures.published(ids[0], ids[ids.length - 1]);
    }

    /** Counts the failure, has it recorded and reported, and backs off before the next try. */
    private void handle(PublishFailure failure) {
        metrics.failed(failure.reason());
        int failures = ++consecutiveFailures;
        Duration delay = settings.backoff().delay(failures);
        state = State.BACKING_OFF;
        rowFailures.report(failure, delay);
        // A missing route ends its wait as soon as it is back (the route check resumes the drainers).
        wakeup.pause(
                delay,
                failure.reason() == PublishFailure.Reason.MISSING_ROUTE ? Wakeup.Until.RESUME : Wakeup.Until.TIMEOUT);
    }

    /** What the circuit breaker records for a batch the broker failed. */
    static final class BrokerFailure extends RuntimeException {

        BrokerFailure(String message) {
            super(message, null, false, false);
        }
    }
}
