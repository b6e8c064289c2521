package dev.orderly.worker.order;

import dev.orderly.testsupport.DevInfrastructure;
import org.springframework.boot.SpringApplication;

/**
 * order-worker on this JVM's own PostgreSQL and RabbitMQ, the private servers its integration tests use: run or debug
 * this class from an IDE to work on order-worker alone, without {@code ./orderly up}. From the command line:
 *
 * <pre>{@code
 * ./mvnw -o -q install -DskipTests -pl order-worker -am   # first, and after changing what it depends on
 * ./mvnw -o -pl order-worker spring-boot:test-run   # -Dspring-boot.run.arguments=--server.port=0: a free port
 * }</pre>
 *
 * <p>{@link DevInfrastructure} starts the servers, connects order-worker as its own database role
 * {@code orderly_order_worker} and to the broker as its tests do (the administrator; the worker declares its own
 * topology on the bare broker), and logs one line once it is ready saying where everything is: the management side
 * (port 8181 as configured; health, metrics, the parking lot), the JDBC URL with the role's password, the broker and
 * its management UI, from which events can be published to {@code orders.events}. Before the listeners start,
 * {@link OrdersSchema} applies order-api's migrations of the {@code orders} schema, which order-worker uses but never
 * migrates, as its tests do. The test {@code config/application.yaml} applies too (short retry tiers, plain-text logs).
 * The servers and their data go when the JVM exits.
 */
public final class TestOrderWorkerApplication {

    private TestOrderWorkerApplication() {}

    public static void main(String[] args) {
        application().run(args);
    }

    /** order-worker's own main with {@link DevInfrastructure} and order-api's migrations ({@link OrdersSchema}). */
    static SpringApplication.Augmented application() {
        return SpringApplication.from(OrderWorkerApplication::main).with(DevInfrastructure.class, OrdersSchema.class);
    }
}
