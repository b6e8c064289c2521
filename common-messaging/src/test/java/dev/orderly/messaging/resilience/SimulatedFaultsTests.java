package dev.orderly.messaging.resilience;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderly.messaging.consumer.TransientFailure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A simulator's shared faults: a configured failure rate fails as the provider's own unavailability, named. */
class SimulatedFaultsTests {

    record Settings(Duration latency, double transientFailureRate) implements SimulatedFaults {}

    static final class Unavailable extends TransientFailure {

        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    @Test
    void aFailureRateOfOneFailsEveryCallAsTheProvidersUnavailability() {
        assertThatThrownBy(() -> new Settings(Duration.ZERO, 1).beforeCall("carrier", Unavailable::new))
                .isInstanceOf(Unavailable.class)
                .hasMessage("The simulated carrier is unavailable (configured transient-failure rate 1.0)");
    }

    @Test
    void aFailureRateOfZeroFailsNoCall() {
        Settings settings = new Settings(Duration.ZERO, 0);

        for (int i = 0; i < 1_000; i++) {
            assertThatCode(() -> settings.beforeCall("carrier", Unavailable::new))
                    .doesNotThrowAnyException();
        }
    }
}
