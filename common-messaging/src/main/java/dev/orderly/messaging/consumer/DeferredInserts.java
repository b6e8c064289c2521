package dev.orderly.messaging.consumer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Append-only rows that a batch of deliveries writes one by one (an outbox row per event, a timeline entry per event),
 * gathered while the batch's handlers run and written as one multi-row {@code INSERT} per statement before the
 * batch's transaction commits: one round trip and one statement for the batch instead of one per delivery.
 *
 * <p>Outside a batch (one delivery in its own transaction, a request) {@link #insert} runs the single-row statement at
 * once, as it always did. In a batch, the {@link ReliableListener} opens the scope ({@link #open}) before the first
 * handler and {@link Scope#writeAll writes} it after the last one, still inside the transaction, so a failing insert
 * fails the batch like any handler's failure would: nothing of it commits, and each delivery is applied again in a
 * transaction of its own, where its rows are written at once.
 *
 * <p>Why hand-written: JDBC batching ({@code reWriteBatchedInserts}) needs every row at hand at one call site, but a
 * batch's rows come from many handler calls; this gathers them per transaction. Only statements whose outcome the
 * caller does not read may be deferred: their update count is unknown until the flush, and a later handler of the same
 * batch does not see them (none reads an outbox or a timeline back).
 *
 * <p>Invariant: rows of one statement are inserted in the order they were added (the relay publishes an outbox table
 * in id order), and a scope's rows are written, or its transaction fails, before that transaction commits.
 */
public final class DeferredInserts {

    /**
     * A single-row {@code INSERT} split where its rows go: {@code head} up to {@code VALUES}, one {@code row} of
     * placeholders (with casts, e.g. {@code (?, CAST(? AS json))}), and what follows the rows (e.g.
     * {@code ON CONFLICT DO NOTHING}).
     */
    public record Statement(String head, String row, String tail) {

        String sql(int rows) {
            StringBuilder sql = new StringBuilder(head.length() + rows * (row.length() + 2) + tail.length() + 2);
            sql.append(head).append(' ');
            for (int i = 0; i < rows; i++) {
                sql.append(i == 0 ? "" : ", ").append(row);
            }
            return sql.append(' ').append(tail).toString();
        }
    }

    /** Rows per multi-row statement at most: far below PostgreSQL's 65,535 bind parameters for any row here. */
    static final int MAX_ROWS = 500;

    private DeferredInserts() {}

    /**
     * Inserts one row of {@code statement} with {@code parameters}: at once, or, inside an open scope, when it
     * flushes.
     */
    public static void insert(JdbcClient jdbc, Statement statement, Object... parameters) {
        Scope scope = (Scope) TransactionSynchronizationManager.getResource(Scope.class);
        if (scope == null) {
            jdbc.sql(statement.sql(1)).params(parameters).update();
        } else {
            scope.add(jdbc, statement, parameters);
        }
    }

    /**
     * Opens a scope for the current transaction: the inserts made in it until {@link Scope#close} wait for
     * {@link Scope#writeAll}.
     *
     * @throws IllegalStateException if no transaction is active, or a scope is open already
     */
    static Scope open() {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("Deferred inserts need a transaction to be written in");
        }
        Scope scope = new Scope();
        TransactionSynchronizationManager.bindResource(Scope.class, scope);
        // Suspended with its transaction: an inner REQUIRES_NEW transaction (a simulator's own ledger) writes its rows
        // at once, in itself, rather than into the batch's.
        TransactionSynchronizationManager.registerSynchronization(scope);
        return scope;
    }

    /** The rows of one transaction's batch, by statement, in first-use order. */
    static final class Scope implements TransactionSynchronization, AutoCloseable {

        private final Map<Statement, Pending> pending = new LinkedHashMap<>();
        private boolean closed;

        @Override
        public void suspend() {
            TransactionSynchronizationManager.unbindResourceIfPossible(Scope.class);
        }

        @Override
        public void resume() {
            // Never again once closed: a row deferred then would have no flush to write it.
            if (!closed) {
                TransactionSynchronizationManager.bindResource(Scope.class, this);
            }
        }

        @Override
        public void afterCompletion(int status) {
            close();
        }

        private record Pending(JdbcClient jdbc, List<Object[]> rows) {}

        private void add(JdbcClient jdbc, Statement statement, Object[] parameters) {
            pending.computeIfAbsent(statement, key -> new Pending(jdbc, new ArrayList<>()))
                    .rows()
                    .add(parameters.clone());
        }

        /** Writes every row gathered so far, one multi-row statement per statement (and per {@link #MAX_ROWS}). */
        void writeAll() {
            pending.forEach((statement, rows) -> {
                List<Object[]> all = rows.rows();
                for (int from = 0; from < all.size(); from += MAX_ROWS) {
                    List<Object[]> chunk = all.subList(from, Math.min(from + MAX_ROWS, all.size()));
                    List<Object> parameters = new ArrayList<>(chunk.size() * chunk.getFirst().length);
                    // Arrays.asList, not List.of: a column may be null (a timeline entry's detail).
                    chunk.forEach(row -> parameters.addAll(Arrays.asList(row)));
                    rows.jdbc()
                            .sql(statement.sql(chunk.size()))
                            .params(parameters)
                            .update();
                }
            });
            pending.clear();
        }

        /** Ends the scope; rows not flushed are dropped (their transaction is failing). */
        @Override
        public void close() {
            closed = true;
            pending.clear();
            TransactionSynchronizationManager.unbindResourceIfPossible(Scope.class);
        }
    }
}
