package dev.orderly.worker.payment;

import dev.orderly.testsupport.DevInfrastructure;
import org.springframework.boot.SpringApplication;

/**
 * payment-worker on this JVM's own PostgreSQL and RabbitMQ, the private servers its integration tests use: run or debug
 * this class from an IDE to work on payment-worker alone, without {@code ./orderly up}. From the command line:
 *
 * <pre>{@code
 * ./mvnw -o -q install -DskipTests -pl payment-worker -am   # first, and after changing what it depends on
 * ./mvnw -o -pl payment-worker spring-boot:test-run   # -Dspring-boot.run.arguments=--server.port=0: a free port
 * }</pre>
 *
 * <p>{@link DevInfrastructure} starts the servers, connects payment-worker as its own database role
 * {@code orderly_payments} (its Flyway migrations make the {@code payments} schema) and to the broker as its tests do
 * (the administrator; the worker declares its own topology on the bare broker), and logs one line once it is ready
 * saying where everything is: the management side (port 8182 as configured; health, metrics, the parking lot), the JDBC
 * URL with the role's password, the broker and its management UI, from which events can be published to
 * {@code orders.events}. The test {@code config/application.yaml} applies too (short retry tiers, no simulated latency,
 * plain-text logs). The servers and their data go when the JVM exits.
 */
public final class TestPaymentWorkerApplication {

    private TestPaymentWorkerApplication() {}

    public static void main(String[] args) {
        application().run(args);
    }

    /** payment-worker's own main with {@link DevInfrastructure} added. */
    static SpringApplication.Augmented application() {
        return SpringApplication.from(PaymentWorkerApplication::main).with(DevInfrastructure.class);
    }
}
