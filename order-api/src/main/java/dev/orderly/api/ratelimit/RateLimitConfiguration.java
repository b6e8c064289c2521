package dev.orderly.api.ratelimit;

import dev.orderly.api.OrderApiProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rate limit's filter, for order-api's security chain to run after its authorization filter; never registered with
 * the servlet container by itself, where it would run outside the chain, without a caller to key on.
 */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RateLimitConfiguration.class);

    @Bean
    RateLimitFilter rateLimitFilter(OrderApiProperties properties, MeterRegistry meters, JsonMapper json) {
        OrderApiProperties.RateLimit settings = properties.rateLimit();
        CallerLimits limits = new CallerLimits(settings, meters);
        if (settings.enabled()) {
            log.info(
                    "POST /orders is limited per caller: {} at once, {} every {}; clients with a limit of their own: {}",
                    settings.capacity(),
                    settings.refill(),
                    settings.refillPeriod(),
                    limits.clients());
        } else {
            log.warn("POST /orders is not rate limited (orderly.api.rate-limit.enabled=false)");
        }
        return new RateLimitFilter(limits, json);
    }

    @Bean
    FilterRegistrationBean<RateLimitFilter> rateLimitFilterOutsideTheSecurityChain(RateLimitFilter filter) {
        FilterRegistrationBean<RateLimitFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setEnabled(false);
        return registration;
    }
}
