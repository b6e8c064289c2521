package dev.orderly.relay.retention;

import dev.orderly.relay.outbox.OutboxRows;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * Deletes outbox rows that were published longer than {@code orderly.relay.retention.keep} ago, in batches of {@code
 * batch-size} rows, each its own short transaction, until none is left.
 *
 * <p>Invariants: only published rows are ever deleted (the statement requires {@code published_at}, and reads the
 * {@code outbox_published_at} partial index, never the unpublished rows' one); and only the instance that holds a
 * table's lease (of its first partition, if it is divided) purges it, so two instances never delete the same rows side
 * by side. A run stops after {@code
 * maxBatchesPerRun} batches so a huge first purge cannot hold the scheduler; the next run continues.
 */
final class RetentionPurge {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    private final List<OutboxRows> tables;
    private final Predicate<OutboxRows> active;
    private final Duration keep;
    private final int batchSize;
    private final int maxBatchesPerRun;

    /**
     * @param active whether this instance is the active relay for a table (holds its lease)
     * @param maxBatchesPerRun the most delete statements one run issues per table
     */
    RetentionPurge(
            List<OutboxRows> tables, Predicate<OutboxRows> active, Duration keep, int batchSize, int maxBatchesPerRun) {
        this.tables = List.copyOf(tables);
        this.active = active;
        this.keep = keep;
        this.batchSize = batchSize;
        this.maxBatchesPerRun = maxBatchesPerRun;
    }

    /** Purges every table this instance is active for. Scheduled every {@code retention.interval}. */
    void run() {
        for (OutboxRows table : tables) {
            if (active.test(table)) {
                purge(table);
            }
        }
    }

    /**
     * Deletes the expired published rows of one table, batch by batch.
     *
     * @return how many rows were deleted
     */
    long purge(OutboxRows table) {
        long deleted = 0;
        try {
            for (int batch = 0; batch < maxBatchesPerRun; batch++) {
                int removed = table.deletePublishedBefore(keep, batchSize);
                deleted += removed;
                if (removed < batchSize) {
                    break;
                }
            }
        } catch (DataAccessException e) {
            log.warn(
                    "Deleting published rows of {} older than {} failed after {} rows: {}. The next run tries again.",
                    table.table(),
                    keep,
                    deleted,
                    e.getMessage());
        }
        if (deleted > 0) {
            log.info("Deleted {} rows of {} published more than {} ago", deleted, table.table(), keep);
        }
        return deleted;
    }
}
