package dev.orderly.relay.metrics;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.outbox.OutboxRows;
import dev.orderly.relay.outbox.OutboxRows.Backlog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * {@code orderly.outbox.backlog} and {@code orderly.outbox.oldest.age} (seconds) per table, tagged {@code source}.
 *
 * <p>Measured on a schedule, not when scraped, so a scrape never waits for the database; each measurement is two probes
 * of the unpublished rows' partial index, and the count stops at {@code backlog-count-limit}. Every instance measures,
 * the active one and the standbys alike, so the figures survive a failover.
 *
 * <p>Invariant: a gauge never shows a stale figure as if it were current: while the database cannot be read, both read
 * NaN ("unknown").
 */
public final class BacklogGauges {

    private static final Logger log = LoggerFactory.getLogger(BacklogGauges.class);

    private static final Backlog UNKNOWN = new Backlog(-1, Double.NaN);

    private final List<OutboxRows> tables;
    private final int countLimit;
    private final Map<OutboxTable, Backlog> latest = new ConcurrentHashMap<>();
    private volatile boolean failing;

    public BacklogGauges(List<OutboxRows> tables, int countLimit, MeterRegistry meters) {
        this.tables = List.copyOf(tables);
        this.countLimit = countLimit;
        for (OutboxRows table : this.tables) {
            OutboxTable key = table.table();
            latest.put(key, UNKNOWN);
            String source = key.qualifiedName();
            Gauge.builder("orderly.outbox.backlog", key, t -> rows(latest.get(t)))
                    .description("Unpublished outbox rows (counted up to orderly.relay.metrics.backlog-count-limit)")
                    .tag("source", source)
                    .register(meters);
            Gauge.builder("orderly.outbox.oldest.age", key, t -> latest.get(t).oldestAgeSeconds())
                    .description("Age of the oldest unpublished outbox row")
                    .baseUnit("seconds")
                    .tag("source", source)
                    .register(meters);
        }
    }

    /** Measures every table. Scheduled every {@code orderly.relay.metrics.refresh-interval}. */
    public void refresh() {
        boolean failed = false;
        for (OutboxRows table : tables) {
            try {
                latest.put(table.table(), table.backlog(countLimit));
            } catch (DataAccessException e) {
                latest.put(table.table(), UNKNOWN);
                failed = true;
                if (!failing) {
                    log.warn(
                            "Could not measure the backlog of {} ({}); the backlog gauges read NaN until it can be "
                                    + "measured again",
                            table.table(),
                            e.getMessage());
                }
            }
        }
        failing = failed;
    }

    /** The last measurement of {@code table}: rows -1 and age NaN if unknown. */
    public Backlog latest(OutboxTable table) {
        return latest.getOrDefault(table, UNKNOWN);
    }

    private static double rows(Backlog backlog) {
        return backlog.rows() < 0 ? Double.NaN : backlog.rows();
    }
}
