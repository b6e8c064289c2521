package dev.orderly.relay.outbox;

import dev.orderly.messaging.outbox.OutboxTable;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The relay's statements on one outbox table, written so each stays on one of the table's two partial indexes.
 *
 * <p>Invariants: rows are read unpublished and in id order ({@code outbox_unpublished}); a row is marked published at
 * most once, and never un-marked; a failure is recorded only on a row that is still unpublished; and retention deletes
 * only rows that were published, longer ago than the retention ({@code outbox_published_at}). Every name is
 * schema-qualified, because the relay's role runs with an empty {@code search_path}. The reads of unpublished rows
 * are those of one {@link OutboxPartition partition} (the whole table unless the table is divided); the updates go by
 * id, and the backlog and the retention are the whole table's.
 */
public final class OutboxRows {

    /** {@code last_error} is free text for operators; a broker's reply can be long, the column need not be. */
    private static final int MAX_ERROR_LENGTH = 2_000;

    private final OutboxPartition partition;
    private final JdbcClient jdbc;
    private final String selectUnpublished;
    private final String selectUnpublishedAfter;
    private final String selectUnpublishedAfterOrAmong;
    private final String markPublished;
    private final String recordFailure;
    private final String deleteExpired;
    private final String sampleBacklog;

    /** The statements on the whole of {@code table}. */
    public OutboxRows(OutboxTable table, JdbcClient jdbc) {
        this(OutboxPartition.whole(table), jdbc);
    }

    /** The statements on {@code partition}: its unpublished rows are the ones read. */
    public OutboxRows(OutboxPartition partition, JdbcClient jdbc) {
        this.partition = partition;
        this.jdbc = jdbc;
        String name = partition.table().qualifiedName();
        String inPartition = partition.condition();
        this.selectUnpublished = """
                SELECT id, event_id, event_type, routing_key, aggregate_id, payload::text AS payload,
                       headers::text AS headers, created_at, attempts
                FROM %s WHERE published_at IS NULL%s ORDER BY id LIMIT ?
                """.formatted(name, inPartition);
        this.selectUnpublishedAfter = """
                SELECT id, event_id, event_type, routing_key, aggregate_id, payload::text AS payload,
                       headers::text AS headers, created_at, attempts
                FROM %s WHERE published_at IS NULL AND id > ?%s ORDER BY id LIMIT ?
                """.formatted(name, inPartition);
        this.selectUnpublishedAfterOrAmong = """
                SELECT id, event_id, event_type, routing_key, aggregate_id, payload::text AS payload,
                       headers::text AS headers, created_at, attempts
                FROM %s WHERE published_at IS NULL AND (id > ? OR id = ANY(?))%s ORDER BY id LIMIT ?
                """.formatted(name, inPartition);
        // "AND published_at IS NULL": a row another instance (or an earlier attempt) already marked keeps its time.
        this.markPublished = "UPDATE %s SET published_at = clock_timestamp() WHERE id = ANY(?) AND published_at IS NULL"
                .formatted(name);
        this.recordFailure = """
                UPDATE %s SET attempts = attempts + 1, last_error = ?, last_attempt_at = clock_timestamp()
                WHERE id = ? AND published_at IS NULL RETURNING attempts
                """.formatted(name);
        // Ordered by published_at, the partial index's own order, so each batch stops after `batch` index entries
        // instead of collecting and sorting every expired row.
        this.deleteExpired = """
                DELETE FROM %1$s WHERE id IN (
                  SELECT id FROM %1$s
                  WHERE published_at IS NOT NULL AND published_at < clock_timestamp() - make_interval(secs => ?)
                  ORDER BY published_at LIMIT ?)
                """.formatted(name);
        this.sampleBacklog = """
                SELECT
                  (SELECT count(*) FROM (SELECT 1 FROM %1$s WHERE published_at IS NULL LIMIT ?) AS unpublished)
                    AS backlog,
                  coalesce((SELECT extract(epoch FROM clock_timestamp() - created_at) FROM %1$s
                            WHERE published_at IS NULL ORDER BY id LIMIT 1), 0) AS oldest_age
                """.formatted(name);
    }

    /** The table these statements run on. */
    public OutboxTable table() {
        return partition.table();
    }

    /** The partition whose unpublished rows {@link #unpublished} and {@link #unpublishedAfter} read. */
    public OutboxPartition partition() {
        return partition;
    }

    /** Up to {@code limit} unpublished rows of the partition, lowest id first. */
    public List<OutboxRow> unpublished(int limit) {
        return jdbc.sql(selectUnpublished).param(limit).query(OutboxRows::row).list();
    }

    /**
     * Up to {@code limit} unpublished rows of the partition after row {@code afterId}, lowest id first: the
     * continuation of a batch whose rows are still awaiting their confirms (and so are still unpublished).
     */
    public List<OutboxRow> unpublishedAfter(long afterId, int limit) {
        return jdbc.sql(selectUnpublishedAfter)
                .param(afterId)
                .param(limit)
                .query(OutboxRows::row)
                .list();
    }

    /**
     * Up to {@code limit} unpublished rows of the partition after row {@code afterId} or among {@code ids}, lowest id
     * first: the continuation of a batch, and rows an earlier read skipped because they were not committed yet.
     */
    public List<OutboxRow> unpublishedAfterOrAmong(long afterId, long[] ids, int limit) {
        if (ids.length == 0) {
            return unpublishedAfter(afterId, limit);
        }
        return jdbc.sql(selectUnpublishedAfterOrAmong)
                .param(afterId)
                .param(ids)
                .param(limit)
                .query(OutboxRows::row)
                .list();
    }

    /**
     * Marks rows published, now.
     *
     * @param ids rows the broker confirmed (acked, not returned)
     * @return how many rows were marked (fewer than {@code ids} if some were already marked)
     */
    public int markPublished(long[] ids) {
        if (ids.length == 0) {
            return 0;
        }
        return jdbc.sql(markPublished).param(ids).update();
    }

    /**
     * Counts a failed attempt on a row that is still unpublished, with why it failed.
     *
     * @return the row's failed attempts so far, or empty if the row was published meanwhile (by another instance)
     */
    public Optional<Integer> recordFailure(long id, String error) {
        String text = error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH - 1) + "…";
        return jdbc.sql(recordFailure)
                .param(text)
                .param(id)
                .query(Integer.class)
                .optional();
    }

    /**
     * Deletes up to {@code batch} rows that were published longer than {@code keep} ago; never an unpublished row.
     *
     * @return how many rows were deleted
     */
    public int deletePublishedBefore(Duration keep, int batch) {
        double seconds = keep.toNanos() / 1e9;
        return jdbc.sql(deleteExpired).param(seconds).param(batch).update();
    }

    /**
     * Unpublished rows of the whole table (counted up to {@code countLimit}) and the age of the oldest, in seconds (0
     * if none).
     */
    public Backlog backlog(int countLimit) {
        return jdbc.sql(sampleBacklog)
                .param(countLimit)
                .query((rs, n) -> new Backlog(rs.getLong("backlog"), rs.getDouble("oldest_age")))
                .single();
    }

    /**
     * One measurement of a table's backlog.
     *
     * @param rows unpublished rows, counted up to the limit asked for
     * @param oldestAgeSeconds how long the oldest unpublished row has waited
     */
    public record Backlog(long rows, double oldestAgeSeconds) {}

    private static OutboxRow row(ResultSet rs, int rowNumber) throws SQLException {
        return new OutboxRow(
                rs.getLong("id"),
                rs.getObject("event_id", java.util.UUID.class),
                rs.getString("event_type"),
                rs.getString("routing_key"),
                rs.getString("aggregate_id"),
                rs.getString("payload"),
                rs.getString("headers"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                rs.getInt("attempts"));
    }
}
