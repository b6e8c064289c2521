package dev.orderly.relay;

import dev.orderly.testsupport.RealInfrastructure;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;

/**
 * A test of the whole relay against the real PostgreSQL and RabbitMQ, connected as {@code orderly_relay} with only the
 * grants order-api's migrations give it.
 *
 * <p>The context is closed after the test class ({@link DirtiesContext}): a relay left running in Spring's context
 * cache would keep holding its tables' leases and publishing while later tests run.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.datasource.username=orderly_relay",
            "logging.structured.format.console=",
            "orderly.relay.instance-id=test-relay",
            "orderly.relay.wakeup.poll-interval=200ms",
            "orderly.relay.metrics.refresh-interval=200ms",
            // A bare test broker: the relay declares orders.events itself (deployments import the topology).
            "orderly.messaging.topology.declare=true",
            // No work queues on the test broker: routes are checked by the tests that are about them.
            "orderly.relay.routes.verify=false"
        })
@RealInfrastructure
@ContextConfiguration(initializers = OrdersSchema.Initializer.class)
@DirtiesContext
public @interface RelayIntegrationTest {}
