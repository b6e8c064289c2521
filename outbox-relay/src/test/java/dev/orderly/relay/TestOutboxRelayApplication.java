package dev.orderly.relay;

import dev.orderly.testsupport.DevInfrastructure;
import org.springframework.boot.SpringApplication;

/**
 * outbox-relay on this JVM's own PostgreSQL and RabbitMQ, the private servers its integration tests use: run or debug
 * this class from an IDE to work on the relay alone, without {@code ./orderly up}. From the command line (the main
 * class is named because the relay's tests have another, the benchmark's):
 *
 * <pre>{@code
 * ./mvnw -o -q install -DskipTests -pl outbox-relay -am   # first, and after changing what it depends on
 * ./mvnw -o -pl outbox-relay spring-boot:test-run \
 *     -Dspring-boot.run.main-class=dev.orderly.relay.TestOutboxRelayApplication
 * }</pre>
 *
 * <p>First, {@link OrdersSchema#migrate()} applies order-api's migrations of the {@code orders} schema, whose
 * {@code orders.outbox} the relay drains, as its tests do. Then {@link DevInfrastructure} starts the servers, connects
 * the relay as its own database role {@code orderly_relay} and to the broker as its tests do (the administrator; the
 * relay declares {@code orders.events} on the bare broker and, since no worker's queue is bound there, checks no
 * routes), and logs one line once it is ready saying where everything is: the management side (port 8081 as
 * configured), the JDBC URL with the role's password, the broker and its management UI. Rows inserted into
 * {@code orders.outbox} (as {@code orderly_api}) are published; with no work queue bound they land in queue
 * {@code orders.unrouted}. Pass {@code --logging.structured.format.console=} (empty) for plain-text logs. The servers
 * and their data go when the JVM exits.
 */
public final class TestOutboxRelayApplication {

    private TestOutboxRelayApplication() {}

    public static void main(String[] args) {
        OrdersSchema.migrate();
        application().run(args);
    }

    /** The relay's own main with {@link DevInfrastructure} added; the {@code orders} schema must be migrated first. */
    static SpringApplication.Augmented application() {
        return SpringApplication.from(OutboxRelayApplication::main).with(DevInfrastructure.class);
    }
}
