package dev.orderly.testsupport;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Runs one service from an IDE (or {@code ./mvnw spring-boot:test-run}) against the same private PostgreSQL and
 * RabbitMQ its integration tests use, without {@code ./orderly up}: each service has a {@code Test<Service>Application}
 * in its tests, whose main is
 *
 * <pre>{@code
 * SpringApplication.from(OrderApiApplication::main).with(DevInfrastructure.class).run(args);
 * }</pre>
 *
 * <p>Adding this class to an application's sources is what switches it on:
 * {@link DevInfrastructureEnvironmentPostProcessor} (registered in {@code META-INF/spring.factories}, and doing
 * nothing for an application without this source) looks the service up in {@link Service} by
 * {@code spring.application.name}, starts (or, within the JVM, reuses) {@link OrderlyInfrastructure}'s servers, with
 * deploy/postgres/bootstrap.sql's roles, schemas and grants, and puts ahead of every other property source exactly
 * the connection settings {@link RealInfrastructure} gives a test ({@link RealInfrastructureProperties}): the
 * datasource and Flyway as the roles the service's own configuration names, RabbitMQ as the administrator on virtual
 * host {@code orderly}. It does so before the context is refreshed, so conditions and the broker login check see them.
 * The test broker is bare, so a service that talks to RabbitMQ declares its own topology, as in its tests
 * ({@link #bareBroker}). What else a service's tests set up (order-api's migrations of the {@code orders} schema, for
 * order-worker and the relay) its {@code Test<Service>Application} does, with the tests' own helper.
 *
 * <p>Once the service is ready, one log line says where everything is. The servers are this JVM's: their data lives in
 * a run directory that is deleted when the JVM exits, and they stop with it (a shutdown hook; after a {@code kill -9},
 * the next run or test removes them). Two such services never share servers; for the whole pipeline, run
 * {@code ./orderly up}.
 */
@Configuration(proxyBeanMethods = false)
public class DevInfrastructure {

    private static final System.Logger LOG = System.getLogger(DevInfrastructure.class.getName());

    /** Says where the servers are, once the service is ready (and its HTTP port known). */
    @Bean
    static ApplicationListener<ApplicationReadyEvent> devInfrastructureReport() {
        return event -> LOG.log(Level.INFO, where(event.getApplicationContext().getEnvironment()));
    }

    /**
     * What a service needs beyond the connection settings on the tests' bare broker, on which nothing is declared
     * unless the service declares it: a service with a broker user declares its topology (as its tests do); the relay
     * reads bindings from this broker's management API, and does not hold events back for work queues that no worker
     * on this broker will ever declare (as its tests, unless they are about routes).
     */
    static Map<String, Object> bareBroker(Service service, RabbitBroker rabbit) {
        Map<String, Object> properties = new LinkedHashMap<>();
        if (service.brokerUser().isPresent()) {
            properties.put("orderly.messaging.topology.declare", true);
        }
        if (service == Service.OUTBOX_RELAY) {
            properties.put("orderly.relay.routes.verify", false);
            properties.put("orderly.relay.routes.management-url", managementUrl(rabbit));
        }
        return properties;
    }

    /**
     * One line: the service's HTTP side (and its management side, if on a port of its own), the database and role, the
     * broker and its management UI.
     */
    static String where(Environment environment) {
        PostgresServer postgres = OrderlyInfrastructure.postgres();
        RabbitBroker rabbit = OrderlyInfrastructure.rabbit();
        String service = environment.getProperty("spring.application.name", "the service");
        String http = "http://" + environment.getProperty("server.address", "127.0.0.1") + ":"
                + environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        String managementPort = environment.getProperty("local.management.port");
        if (managementPort != null) {
            // A management side of its own (order-api's): where the probes and metrics are.
            http += " (management http://" + environment.getProperty("management.server.address", "127.0.0.1") + ":"
                    + managementPort + ")";
        }
        String role = environment.getProperty("spring.datasource.username", "?");
        return service + " is up on " + http + " with this JVM's private servers ("
                + OrderlyInfrastructure.mode().name().toLowerCase(Locale.ROOT)
                + "; they and their data go when it exits): PostgreSQL " + postgres.jdbcUrl() + " as " + role + " / "
                + postgres.passwordFor(role) + "; RabbitMQ amqps://" + rabbit.host() + ":" + rabbit.amqpPort() + "/"
                + rabbit.virtualHost() + " and management " + managementUrl(rabbit) + " as " + rabbit.adminUser()
                + " / " + rabbit.adminPassword();
    }

    private static String managementUrl(RabbitBroker rabbit) {
        return "http://" + rabbit.host() + ":" + rabbit.managementPort();
    }
}
