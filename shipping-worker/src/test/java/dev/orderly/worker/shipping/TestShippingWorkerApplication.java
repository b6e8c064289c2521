package dev.orderly.worker.shipping;

import dev.orderly.testsupport.DevInfrastructure;
import org.springframework.boot.SpringApplication;

/**
 * shipping-worker on this JVM's own PostgreSQL and RabbitMQ, the private servers its integration tests use: run or
 * debug this class from an IDE to work on shipping-worker alone, without {@code ./orderly up}. From the command line:
 *
 * <pre>{@code
 * ./mvnw -o -q install -DskipTests -pl shipping-worker -am   # first, and after changing what it depends on
 * ./mvnw -o -pl shipping-worker spring-boot:test-run   # -Dspring-boot.run.arguments=--server.port=0: a free port
 * }</pre>
 *
 * <p>{@link DevInfrastructure} starts the servers, connects shipping-worker as its own database role
 * {@code orderly_shipping} (its Flyway migrations make the {@code shipping} schema) and to the broker as its tests do
 * (the administrator; the worker declares its own topology on the bare broker), and logs one line once it is ready
 * saying where everything is: the management side (port 8183 as configured; health, metrics, the parking lot), the JDBC
 * URL with the role's password, the broker and its management UI, from which events can be published to
 * {@code orders.events}. The test {@code config/application.yaml} applies too (short retry tiers, no simulated latency,
 * plain-text logs). The servers and their data go when the JVM exits.
 */
public final class TestShippingWorkerApplication {

    private TestShippingWorkerApplication() {}

    public static void main(String[] args) {
        application().run(args);
    }

    /** shipping-worker's own main with {@link DevInfrastructure} added. */
    static SpringApplication.Augmented application() {
        return SpringApplication.from(ShippingWorkerApplication::main).with(DevInfrastructure.class);
    }
}
