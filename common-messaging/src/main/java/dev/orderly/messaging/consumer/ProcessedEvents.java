package dev.orderly.messaging.consumer;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code processed_events (consumer, event_id, processed_at)} table of a service's schema: which events this
 * consumer has applied.
 *
 * <p>Invariant: {@link #recordFirst} runs in the handler's transaction, so the id is recorded if and only if the
 * handler's effect commits; a second delivery of the same event finds the row (or waits on the first delivery's
 * uncommitted row, then finds it) and is a duplicate. Rows are deleted only after the configured retention, which
 * {@link MessagingProperties} checks is longer than any redelivery can be late.
 */
public final class ProcessedEvents {

    private static final Logger log = LoggerFactory.getLogger(ProcessedEvents.class);

    private final JdbcClient jdbc;
    private final String insertSql;
    private final String insertAllSql;
    private final String purgeSql;

    public ProcessedEvents(JdbcClient jdbc, String schema) {
        this.jdbc = jdbc;
        // The schema comes from validated configuration (a plain identifier), never from a message.
        this.insertSql = "INSERT INTO " + schema + ".processed_events (consumer, event_id) VALUES (?, ?) "
                + "ON CONFLICT DO NOTHING";
        // In id order, so that two batches holding the same ids (duplicates in flight) wait for each other on the
        // unique index instead of deadlocking; the one-row CTE sets the batch's lock timeout in the same round trip.
        this.insertAllSql = "WITH lock_wait AS (SELECT set_config('lock_timeout', ?, true)) "
                + "INSERT INTO " + schema + ".processed_events (consumer, event_id) "
                + "SELECT ?, id FROM unnest(CAST(? AS uuid[])) AS id, lock_wait ORDER BY id "
                + "ON CONFLICT DO NOTHING RETURNING event_id";
        this.purgeSql = "DELETE FROM " + schema + ".processed_events WHERE ctid = ANY (ARRAY(SELECT ctid FROM "
                + schema + ".processed_events WHERE processed_at < clock_timestamp() - make_interval(secs => ?) "
                + "LIMIT ?))";
    }

    /** Records the event as processed by {@code consumer}; false if it already was (a duplicate). */
    public boolean recordFirst(String consumer, UUID eventId) {
        return jdbc.sql(insertSql).params(consumer, eventId).update() == 1;
    }

    /**
     * Records a batch's events as processed by {@code consumer} in one statement, first setting the transaction's
     * {@code lock_timeout} to {@code lockWait}; the ids that were not recorded before (an id given twice is recorded
     * once, and returned once).
     */
    public Set<UUID> recordFirst(String consumer, List<UUID> eventIds, Duration lockWait) {
        String[] ids = eventIds.stream().map(UUID::toString).toArray(String[]::new);
        return new HashSet<>(jdbc.sql(insertAllSql)
                .params(lockWait.toMillis() + "ms", consumer, ids)
                .query(UUID.class)
                .list());
    }

    /** Deletes one batch of ids older than {@code retention}; returns how many. */
    int purgeBatch(Duration retention, int batchSize) {
        return jdbc.sql(purgeSql)
                .params(retention.toMillis() / 1000.0, batchSize)
                .update();
    }

    /** Deletes every id older than {@code retention}, batch by batch; scheduled, never throws. */
    public void purge(Duration retention, int batchSize) {
        try {
            int deleted;
            int total = 0;
            do {
                deleted = purgeBatch(retention, batchSize);
                total += deleted;
            } while (deleted == batchSize);
            if (total > 0) {
                log.info("Forgot {} processed event ids older than {}", total, retention);
            }
        } catch (DataAccessException e) {
            log.warn(
                    "Could not purge processed event ids older than {}; will try again next interval: {}",
                    retention,
                    e.getMessage());
        }
    }
}
