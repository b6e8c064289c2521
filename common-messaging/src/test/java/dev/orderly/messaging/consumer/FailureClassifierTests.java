package dev.orderly.messaging.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.messaging.consumer.FailureClassifier.Kind;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.SQLException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;

class FailureClassifierTests {

    private final FailureClassifier classifier = new FailureClassifier();

    @Test
    void unavailableDatabaseTimeoutsAndOpenCircuitsAreTransient() {
        assertThat(classifier.classify(new CannotGetJdbcConnectionException("refused")))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(classifier.classify(new QueryTimeoutException("slow"))).isEqualTo(Kind.TRANSIENT);
        assertThat(classifier.classify(new CannotCreateTransactionException("no connection")))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(classifier.classify(new RuntimeException(new TimeoutException("gateway"))))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(classifier.classify(
                        CallNotPermittedException.createCallNotPermittedException(CircuitBreaker.ofDefaults("g"))))
                .isEqualTo(Kind.TRANSIENT);
        assertThat(classifier.classify(new TransientFailure("later"))).isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void untranslatedJdbcFailuresCountByTheirSqlState() {
        // What the database timeouts raise, and the server going away, when no Spring translation wrapped them.
        for (String state :
                new String[] {"55P03", "57014", "08006", "08001", "40001", "40P01", "57P01", "53300", "25P03"}) {
            assertThat(classifier.classify(new RuntimeException(new SQLException("x", state))))
                    .as(state)
                    .isEqualTo(Kind.TRANSIENT);
        }
        for (String state : new String[] {"23505", "42P01", "42501", "22P02", null}) {
            assertThat(classifier.classify(new SQLException("x", state)))
                    .as(String.valueOf(state))
                    .isEqualTo(Kind.PERMANENT);
        }
    }

    @Test
    void everythingElseAndThePermanentMarkerArePermanent() {
        assertThat(classifier.classify(new IllegalStateException("bug"))).isEqualTo(Kind.PERMANENT);
        assertThat(classifier.classify(new DataIntegrityViolationException("check")))
                .isEqualTo(Kind.PERMANENT);
        assertThat(classifier.classify(new PermanentFailure("never", new QueryTimeoutException("slow"))))
                .as("the marker wins over a transient cause")
                .isEqualTo(Kind.PERMANENT);
    }
}
