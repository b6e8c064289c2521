package dev.orderly.messaging.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class MessagingPropertiesTests {

    @Test
    void defaultsRetryOverFourTiersAndParkAfterSixAttempts() {
        MessagingProperties properties =
                bind(Map.of("orderly.messaging.domain", "order", "orderly.messaging.schema", "orders"));

        assertThat(properties.listener().prefetch()).isEqualTo(20);
        assertThat(properties.retry().delays())
                .containsExactly(
                        Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(5));
        assertThat(properties.retry().maxAttempts()).isEqualTo(6);
        assertThat(properties.retry().horizon()).isEqualTo(Duration.ofSeconds(1 + 10 + 60 + 300 + 300));
        assertThat(properties.consumerName()).isEqualTo("order");
    }

    @Test
    void attemptNGoesToTierNMinusOneAndStaysOnTheLastTier() {
        MessagingProperties.Retry retry = bind(Map.of(
                        "orderly.messaging.domain", "order", "orderly.messaging.schema", "orders"))
                .retry();

        assertThat(retry.delayAfter(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(retry.delayAfter(2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(retry.delayAfter(4)).isEqualTo(Duration.ofMinutes(5));
        assertThat(retry.delayAfter(9)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void retentionShorterThanTheRetryHorizonTimesTheSafetyFactorFailsStartup() {
        Map<String, String> unsafe = Map.of(
                "orderly.messaging.domain", "order",
                "orderly.messaging.schema", "orders",
                "orderly.messaging.processed-events.retention", "1h");

        try {
            bind(unsafe);
            throw new AssertionError("bound an unsafe retention");
        } catch (BindException e) {
            assertThat(org.springframework.core.NestedExceptionUtils.getMostSpecificCause(e)
                            .getMessage())
                    .contains("orderly.messaging.processed-events.retention (PT1H)")
                    .contains("retry horizon (PT11M11S")
                    .contains("Raise the retention or shorten the retry tiers");
        }
    }

    @Test
    void missingDomainFailsStartupNamingTheSetting() {
        try {
            bind(Map.of("orderly.messaging.schema", "orders"));
            throw new AssertionError("bound without a domain");
        } catch (BindException e) {
            assertThat(org.springframework.core.NestedExceptionUtils.getMostSpecificCause(e)
                            .getMessage())
                    .contains("orderly.messaging.domain is not set");
        }
    }

    private static MessagingProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("orderly.messaging", MessagingProperties.class);
    }
}
