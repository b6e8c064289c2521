package dev.orderly.messaging.parking;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code parking_audit} table of a service's schema: who replayed or purged which parked messages, how many, how
 * it ended, and when.
 *
 * <p>Invariant: rows are only ever added; every replay and purge adds one, whatever its outcome.
 */
public final class ParkingAudit {

    private final JdbcClient jdbc;
    private final String audit;

    public ParkingAudit(JdbcClient jdbc, String schema) {
        this.jdbc = jdbc;
        // The schema comes from validated configuration (a plain identifier), never from a request.
        this.audit = schema + ".parking_audit";
    }

    /** Records who did what to how many parked messages, and how it ended (with what stopped it, if it stopped). */
    void record(
            String actor, String action, Selection selection, int affected, String outcome, @Nullable String detail) {
        jdbc.sql("INSERT INTO " + audit + " (actor, action, selection, affected, outcome, detail) "
                        + "VALUES (?, ?, ?, ?, ?, ?)")
                .params(actor, action, selection.describe(), affected, outcome, detail)
                .update();
    }

    /** The audit trail, newest first. */
    public List<Map<String, Object>> trail(int limit) {
        return jdbc.sql("SELECT id, actor, action, selection, affected, outcome, detail, at FROM " + audit
                        + " ORDER BY id DESC LIMIT ?")
                .param(limit)
                .query()
                .listOfRows();
    }
}
