package dev.orderly.api;

import dev.orderly.testsupport.DevInfrastructure;
import org.springframework.boot.SpringApplication;

/**
 * order-api on this JVM's own PostgreSQL and RabbitMQ, the private servers its integration tests use: run or debug this
 * class from an IDE to work on order-api alone, without {@code ./orderly up}. From the command line:
 *
 * <pre>{@code
 * ./mvnw -o -q install -DskipTests -pl order-api -am   # first, and after changing what it depends on
 * ./mvnw -o -pl order-api spring-boot:test-run   # -Dspring-boot.run.arguments=--server.port=0: a free port
 * }</pre>
 *
 * <p>{@link DevInfrastructure} starts the servers, connects order-api as its own database role {@code orderly_api} (its
 * Flyway migrations make the {@code orders} schema), and logs one line once it is ready saying where everything is: the
 * API (port 8080), the JDBC URL with the role's password, the broker and its management UI. Pass
 * {@code --spring.profiles.active=dev} to seed the development stock as {@code ./orderly up} does, and
 * {@code --logging.structured.format.console=} (empty) for plain-text logs. The servers and their data go when the JVM
 * exits.
 */
public final class TestOrderApiApplication {

    private TestOrderApiApplication() {}

    public static void main(String[] args) {
        application().run(args);
    }

    /** order-api's own main with {@link DevInfrastructure} added. */
    static SpringApplication.Augmented application() {
        return SpringApplication.from(OrderApiApplication::main).with(DevInfrastructure.class);
    }
}
