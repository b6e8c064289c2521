package dev.orderly.messaging.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long any database call of a service may take, under {@code orderly.database}: so that a lost network, a hung
 * server or a lock held by someone else (an operator's open {@code BEGIN; UPDATE ...}) makes a call fail, as a
 * transient failure the caller retries, instead of holding a thread and a pool connection forever.
 *
 * <p>Invariant: the client waits longer than the server may run a statement ({@code socket-timeout} above
 * {@code statement-timeout}), so a slow statement is cancelled by PostgreSQL, which answers with a clean error and
 * keeps the connection, before the client gives up on the socket and has to throw the connection away; and a lock is
 * waited for no longer than a statement may run.
 *
 * @param socketTimeout how long the JDBC driver waits for the server's answer to anything before it gives up on the
 *     connection (PgJDBC {@code socketTimeout}, whole seconds); also what bounds a silent network loss
 * @param statementTimeout PostgreSQL's {@code statement_timeout}: a statement running longer is cancelled (0 = none)
 * @param lockTimeout PostgreSQL's {@code lock_timeout}: a statement waiting longer for a row or table lock fails (0 =
 *     none)
 * @param idleInTransactionTimeout PostgreSQL's {@code idle_in_transaction_session_timeout}: a session that sits in an
 *     open transaction doing nothing for longer is ended, releasing its locks (0 = none)
 */
@ConfigurationProperties("orderly.database")
public record DatabaseTimeouts(
        @DefaultValue("30s") Duration socketTimeout,
        @DefaultValue("15s") Duration statementTimeout,
        @DefaultValue("5s") Duration lockTimeout,
        @DefaultValue("60s") Duration idleInTransactionTimeout) {

    public DatabaseTimeouts {
        if (socketTimeout.toSeconds() < 1 || socketTimeout.toNanosPart() % 1_000_000_000 != 0) {
            throw new IllegalArgumentException(
                    "orderly.database.socket-timeout must be a whole number of seconds, at least 1s, was "
                            + socketTimeout);
        }
        for (Duration timeout : new Duration[] {statementTimeout, lockTimeout, idleInTransactionTimeout}) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("orderly.database timeouts must not be negative, was " + timeout);
            }
        }
        if (!statementTimeout.isZero() && socketTimeout.compareTo(statementTimeout) <= 0) {
            throw new IllegalArgumentException(("orderly.database.socket-timeout (%s) must be longer than "
                            + "statement-timeout (%s): PostgreSQL should cancel a slow statement before the driver "
                            + "gives up on the connection")
                    .formatted(socketTimeout, statementTimeout));
        }
        if (!statementTimeout.isZero() && lockTimeout.compareTo(statementTimeout) > 0) {
            throw new IllegalArgumentException(
                    "orderly.database.lock-timeout (%s) must not be longer than statement-timeout (%s)"
                            .formatted(lockTimeout, statementTimeout));
        }
    }

    /**
     * The PgJDBC {@code options} that set the server-side timeouts on every session of the pool, e.g.
     * {@code -c statement_timeout=15000 -c lock_timeout=5000 -c idle_in_transaction_session_timeout=60000}.
     */
    String serverOptions() {
        return "-c statement_timeout=%d -c lock_timeout=%d -c idle_in_transaction_session_timeout=%d"
                .formatted(statementTimeout.toMillis(), lockTimeout.toMillis(), idleInTransactionTimeout.toMillis());
    }
}
