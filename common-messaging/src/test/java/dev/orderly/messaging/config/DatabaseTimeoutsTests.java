package dev.orderly.messaging.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The timeouts make sense together, or the service does not start. */
class DatabaseTimeoutsTests {

    @Test
    void theServerSideTimeoutsBecomeSessionOptionsInMilliseconds() {
        DatabaseTimeouts timeouts = new DatabaseTimeouts(
                Duration.ofSeconds(30), Duration.ofSeconds(15), Duration.ofMillis(500), Duration.ofMinutes(1));

        assertThat(timeouts.serverOptions())
                .isEqualTo(
                        "-c statement_timeout=15000 -c lock_timeout=500 -c idle_in_transaction_session_timeout=60000");
    }

    @Test
    void theClientMustWaitLongerThanTheServerMayRunAStatement() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new DatabaseTimeouts(
                        Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofMinutes(1)))
                .withMessageContaining("socket-timeout")
                .withMessageContaining("statement-timeout");
    }

    @Test
    void aLockIsNotWaitedForLongerThanAStatementMayRun() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new DatabaseTimeouts(
                        Duration.ofSeconds(30), Duration.ofSeconds(15), Duration.ofSeconds(20), Duration.ofMinutes(1)))
                .withMessageContaining("lock-timeout");
    }

    @Test
    void theSocketTimeoutIsWholeSeconds() {
        assertThatIllegalArgumentException()
                .isThrownBy(() ->
                        new DatabaseTimeouts(Duration.ofMillis(1500), Duration.ZERO, Duration.ZERO, Duration.ZERO))
                .withMessageContaining("whole number of seconds");
    }
}
