package dev.orderly.relay.publishing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Pauses after failures double from the initial one and stop growing at the maximum. */
class BackoffTests {

    final Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30));

    @Test
    void doublesFromTheInitialPauseUpToTheMaximum() {
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(250));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(8)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.delay(1_000_000)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void refusesAMaximumShorterThanTheInitialPause() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .withMessageContaining("backoff-max");
    }
}
