package dev.orderly.relay.routes;

import dev.orderly.contracts.Topology;
import dev.orderly.relay.RelayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

/**
 * The route check, when it applies: the relay publishes to {@code orders.events} and
 * {@code orderly.relay.routes.verify} is on (the default). Checked once before the relay starts publishing, then every
 * {@code check-interval}; the drainers waiting on a missing route resume as soon as it is back (the relay listens
 * through {@link RouteGuard#onRestored}).
 */
@Configuration(proxyBeanMethods = false)
class RoutesConfiguration {

    @Bean
    RouteGuard routeGuard(RelayProperties properties, RabbitProperties rabbit, MeterRegistry meters) {
        RelayProperties.Routes routes = properties.routes();
        if (!routes.verify() || !Topology.EVENTS_EXCHANGE.equals(properties.exchange())) {
            return RouteGuard.NONE;
        }
        RouteCheck check = new RouteCheck(
                routes.managementUrl(),
                rabbit.getVirtualHost() == null ? "/" : rabbit.getVirtualHost(),
                properties.exchange(),
                rabbit.getUsername(),
                rabbit.getPassword(),
                routes.checkInterval(),
                routes.timeout(),
                meters);
        check.refresh();
        return check;
    }

    @Bean
    SchedulingConfigurer routeCheckSchedule(RouteGuard guard, RelayProperties properties) {
        if (!(guard instanceof RouteCheck check)) {
            return registrar -> {};
        }
        return registrar ->
                registrar.addFixedDelayTask(check::refresh, properties.routes().checkInterval());
    }

    @Bean
    RoutesHealthIndicator routesHealthIndicator(RouteGuard guard) {
        return new RoutesHealthIndicator(guard instanceof RouteCheck check ? check : null);
    }
}
