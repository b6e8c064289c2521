package dev.orderly.api.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.api.OrderApiProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * {@code orderly.api.rate-limit}: on by default with the documented limit, settable through environment variables (a
 * client's own limit too), a client's limit taking what it leaves out from the default, and a limit that could not
 * work (none, negative, a zero period) refused at start, naming the setting.
 */
class RateLimitPropertiesTests {

    private final ApplicationContextRunner contexts = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Settings.class);

    @Test
    void onByDefaultWithTheDocumentedLimit() {
        OrderApiProperties.RateLimit settings = bindEnvironment(Map.of());

        assertThat(settings.enabled()).isTrue();
        assertThat(settings.capacity()).isEqualTo(20);
        assertThat(settings.refill()).isEqualTo(10);
        assertThat(settings.refillPeriod()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.clients()).isEmpty();
        assertThat(settings.maxCallers()).isEqualTo(100_000);
    }

    @Test
    void environmentVariablesSetTheDefaultAndAClientsOwnLimit() {
        OrderApiProperties.RateLimit settings = bindEnvironment(Map.of(
                "ORDERLY_API_RATE_LIMIT_CAPACITY", "500",
                "ORDERLY_API_RATE_LIMIT_REFILL", "250",
                "ORDERLY_API_RATE_LIMIT_REFILL_PERIOD", "2s",
                // A map entry's variable spells the map's name without its dash: RATELIMIT, not RATE_LIMIT.
                "ORDERLY_API_RATELIMIT_CLIENTS_SHOP_CAPACITY", "1000"));

        assertThat(settings.capacity()).isEqualTo(500);
        assertThat(settings.refill()).isEqualTo(250);
        assertThat(settings.refillPeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.clients()).containsOnlyKeys("shop");
        CallerLimits limits = new CallerLimits(settings, new SimpleMeterRegistry());
        assertThat(limits.limitOf("shop"))
                .as("what the client's entry leaves out is the default's")
                .isEqualTo(new CallerLimits.Limit(1000, 250, Duration.ofSeconds(2)));
        assertThat(limits.limitOf("operator")).isEqualTo(new CallerLimits.Limit(500, 250, Duration.ofSeconds(2)));
    }

    @Test
    void aClientIdWithADashIsSetThroughItsProperty() {
        OrderApiProperties.RateLimit settings = new Binder(new MapConfigurationPropertySource(
                        Map.of("orderly.api.rate-limit.clients.decline-demo.refill", "2")))
                .bindOrCreate("orderly.api", OrderApiProperties.class)
                .rateLimit();

        assertThat(new CallerLimits(settings, new SimpleMeterRegistry()).limitOf("decline-demo"))
                .isEqualTo(new CallerLimits.Limit(20, 2, Duration.ofSeconds(1)));
    }

    @Test
    void aLimitThatCannotWorkIsRefusedAtStartNamingTheSetting() {
        Map<String, String> refused = Map.of(
                "orderly.api.rate-limit.capacity=0", "capacity",
                "orderly.api.rate-limit.refill=-1", "refill",
                "orderly.api.rate-limit.refill-period=0s", "refillPeriod",
                "orderly.api.rate-limit.clients.shop.capacity=0", "capacity",
                "orderly.api.rate-limit.clients.shop.refill-period=0ms", "refillPeriod",
                "orderly.api.rate-limit.max-callers=0", "maxCallers");
        refused.forEach((setting, field) -> contexts.withPropertyValues(setting)
                .run(context -> assertThat(context)
                        .as(setting)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("orderly.api")
                        .hasMessageContaining(field)
                        .hasMessageContaining("rejected value")));
        contexts.withPropertyValues("orderly.api.rate-limit.clients.shop.refill=5")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
        assertThat(RateLimitFilter.retryAfterSeconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(RateLimitFilter.retryAfterSeconds(Duration.ofMillis(1000))).isEqualTo(1);
        assertThat(RateLimitFilter.retryAfterSeconds(Duration.ofMillis(1001))).isEqualTo(2);
        assertThat(RateLimitFilter.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
    }

    private static OrderApiProperties.RateLimit bindEnvironment(Map<String, Object> variables) {
        MutablePropertySources sources = new MutablePropertySources();
        // Named as the process environment is: only that name gets Boot's mapping of variable names to properties.
        sources.addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        return new Binder(ConfigurationPropertySources.from(sources))
                .bindOrCreate("orderly.api", OrderApiProperties.class)
                .rateLimit();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(OrderApiProperties.class)
    static class Settings {}
}
