package dev.orderly.api.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * What a test context that builds order-api's security chain without the whole application imports: the rate limit's
 * filter ({@link RateLimitConfiguration}, which the chain runs), and a meter registry for its counters if the context
 * has none of its own.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import(RateLimitConfiguration.class)
public class RateLimitLayer {

    @Bean
    @ConditionalOnMissingBean
    MeterRegistry rateLimitTestMeters() {
        return new SimpleMeterRegistry();
    }
}
