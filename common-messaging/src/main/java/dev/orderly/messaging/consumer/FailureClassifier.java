package dev.orderly.messaging.consumer;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.util.ClassUtils;

/**
 * Decides whether a failed delivery is worth retrying.
 *
 * <p>Transient: the database unreachable or busy ({@link TransientDataAccessException}, which includes query
 * timeouts, lock timeouts and deadlocks; {@link DataAccessResourceFailureException}, {@link
 * CannotGetJdbcConnectionException}, {@link RecoverableDataAccessException}, a transaction that could not begin or
 * commit, JDBC's transient and recoverable exceptions), a timeout ({@link TimeoutException}), an open circuit or
 * exhausted rate limit of resilience4j, and anything a handler marks with {@link TransientFailure}. A JDBC exception
 * Spring did not translate counts by its SQLSTATE: connection exceptions (class 08), transaction rollbacks such as
 * serialization failures and deadlocks (40), insufficient resources (53), a lock not available within
 * {@code lock_timeout} (55P03), operator intervention such as a statement cancelled by {@code statement_timeout} or a
 * server shutting down (57), and a session ended by {@code idle_in_transaction_session_timeout} (25P03). Everything
 * else is permanent, and {@link PermanentFailure} anywhere in the cause chain overrides a transient cause.
 *
 * <p>Invariant: the whole cause chain is inspected (exceptions arrive wrapped by the transaction template, the time
 * limiter's future and Spring's translation), and the answer depends on exception types and SQLSTATE codes only,
 * never on messages.
 */
public final class FailureClassifier {

    /** Whether a failure may pass on a later attempt. */
    public enum Kind {
        TRANSIENT,
        PERMANENT
    }

    private static final List<String> OPTIONAL_TRANSIENT = List.of(
            "io.github.resilience4j.circuitbreaker.CallNotPermittedException",
            "io.github.resilience4j.ratelimiter.RequestNotPermitted",
            "io.github.resilience4j.bulkhead.BulkheadFullException");

    private final List<Class<? extends Throwable>> transientTypes;

    public FailureClassifier() {
        List<Class<? extends Throwable>> types = new ArrayList<>(List.of(
                TransientFailure.class,
                TransientDataAccessException.class,
                DataAccessResourceFailureException.class,
                CannotGetJdbcConnectionException.class,
                RecoverableDataAccessException.class,
                CannotCreateTransactionException.class,
                TransactionSystemException.class,
                SQLTransientException.class,
                SQLRecoverableException.class,
                TimeoutException.class));
        ClassLoader loader = FailureClassifier.class.getClassLoader();
        for (String name : OPTIONAL_TRANSIENT) {
            // resilience4j is optional for the runtime: a worker without a gateway does not carry it.
            if (ClassUtils.isPresent(name, loader)) {
                types.add(ClassUtils.resolveClassName(name, loader).asSubclass(Throwable.class));
            }
        }
        this.transientTypes = List.copyOf(types);
    }

    /** SQLSTATE classes and codes that say "try again later", not "this can never work". */
    static boolean transientSqlState(@Nullable String state) {
        if (state == null || state.length() != 5) {
            return false;
        }
        String sqlClass = state.substring(0, 2);
        return TRANSIENT_SQL_CLASSES.contains(sqlClass) || TRANSIENT_SQL_STATES.contains(state);
    }

    private static final Set<String> TRANSIENT_SQL_CLASSES = Set.of("08", "40", "53", "57");

    private static final Set<String> TRANSIENT_SQL_STATES = Set.of("55P03", "25P03");

    /** Transient if any cause is of a transient type and none is a {@link PermanentFailure}. */
    public Kind classify(Throwable failure) {
        boolean transientCause = false;
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
            if (cause instanceof PermanentFailure) {
                return Kind.PERMANENT;
            }
            if (cause instanceof SQLException sql && transientSqlState(sql.getSQLState())) {
                transientCause = true;
            }
            for (Class<? extends Throwable> type : transientTypes) {
                if (type.isInstance(cause)) {
                    transientCause = true;
                    break;
                }
            }
        }
        return transientCause ? Kind.TRANSIENT : Kind.PERMANENT;
    }
}
