package dev.orderly.relay.publishing;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.outbox.OutboxRow;
import dev.orderly.relay.outbox.OutboxRows;
import dev.orderly.relay.publishing.TableStatus.FailingRow;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records and reports the failed publishes of one table's (or partition's) rows, and knows which row, if any, keeps
 * failing.
 *
 * <p>A failure of a row that was put to the broker is recorded on the row ({@code attempts}, {@code last_error},
 * {@code last_attempt_at}) and logged as a WARN; from {@code flag-after-attempts} failed attempts on, as an ERROR that
 * names the row, its event and the way out, and the row is flagged (gauge {@code orderly.outbox.failing}, health
 * detail {@code failingRow}). A failure that says nothing about the row (no channel, a missing route) is only logged.
 *
 * <p>Invariants: attempts are recorded only on a row that was put to the broker, so an outage does not count against
 * the rows that waited through it; and a flagged row stays reported until it is published, and no longer: the flag is
 * cleared when this instance marks the row, when a read finds another row at the head of the table (the flagged one was
 * published meanwhile, by another instance or by an operator's hand), or when the table is drained.
 *
 * <p>Called on the drainer's thread; {@link #flagged()} is safe to call from any thread.
 */
final class RowFailures {

    // The drainer's logger, as before these lines moved here: a log level or a log query set on it still sees them.
    private static final Logger log = LoggerFactory.getLogger(TableDrainer.class);

    private final OutboxRows rows;
    private final String exchange;
    private final int flagAfterAttempts;

    private volatile @Nullable FailingRow flagged;

    /**
     * @param exchange where the rows are published, for the reports
     * @param flagAfterAttempts failed attempts after which a row is reported as repeatedly failing
     */
    RowFailures(OutboxRows rows, String exchange, int flagAfterAttempts) {
        this.rows = rows;
        this.exchange = exchange;
        this.flagAfterAttempts = flagAfterAttempts;
    }

    /** The row that holds back its table after repeated failed attempts, if any. */
    @Nullable
    FailingRow flagged() {
        return flagged;
    }

    /** The table has no unpublished row: nothing is failing. */
    void drained() {
        flagged = null;
    }

    /** {@code oldest} is the table's oldest unpublished row now. */
    void oldestUnpublished(OutboxRow oldest) {
        FailingRow current = flagged;
        if (current != null && oldest.id() != current.id()) {
            flagged = null; // published meanwhile, by another instance or by an operator's hand
        }
    }

    /** Rows {@code firstId} to {@code lastId} were marked published. */
    void published(long firstId, long lastId) {
        FailingRow current = flagged;
        if (current != null && firstId <= current.id() && current.id() <= lastId) {
            log.info(
                    "Outbox row {} of {} (event {}) is published after {} failed attempts; the table flows again",
                    current.id(),
                    rows.partition(),
                    current.eventId(),
                    current.attempts());
            flagged = null;
        }
    }

    /**
     * Records {@code failure} on its row if the row was put to the broker, flags the row once it has failed often
     * enough, and logs it.
     *
     * @param retryIn when the drainer tries again
     */
    void report(PublishFailure failure, Duration retryIn) {
        OutboxRow row = failure.row();
        if (!failure.rowAttempted()) {
            log.warn(
                    "Could not publish {} (from row {} on): {}. Nothing was marked published; retrying in {}.",
                    rows.partition(),
                    row.id(),
                    failure.detail(),
                    retryIn);
            return;
        }
        String error = failure.reason().tag() + ": " + failure.detail();
        int attempts = rows.recordFailure(row.id(), error).orElse(row.attempts() + 1);
        if (attempts >= flagAfterAttempts) {
            flagged = new FailingRow(row.id(), row.eventId(), row.eventType(), attempts, error);
            log.atError()
                    .addKeyValue("outbox_table", table().qualifiedName())
                    .addKeyValue("outbox_row", row.id())
                    .addKeyValue("event_id", row.eventId())
                    .log(
                            "Outbox row {} of {} (event {}, {}, aggregate {}) has failed {} publish attempts to "
                                    + "exchange '{}'; last: {}. It holds back every later row of {} (rows go out "
                                    + "in order). Fix the cause (the exchange and bindings, the broker's log) and "
                                    + "it goes out by itself on the next try, in {}; to give up on it instead, "
                                    + "mark it published by hand: UPDATE {} SET published_at = now() WHERE id = {}",
                            row.id(),
                            rows.partition(),
                            row.eventId(),
                            row.eventType(),
                            row.aggregateId(),
                            attempts,
                            exchange,
                            error,
                            rows.partition(),
                            retryIn,
                            table(),
                            row.id());
        } else {
            log.warn(
                    "Publishing outbox row {} of {} (event {}) failed, attempt {}: {}. It stays unpublished with "
                            + "every later row; retrying in {}.",
                    row.id(),
                    rows.partition(),
                    row.eventId(),
                    attempts,
                    error,
                    retryIn);
        }
    }

    private OutboxTable table() {
        return rows.table();
    }
}
