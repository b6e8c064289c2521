package dev.orderly.api;

import dev.orderly.testsupport.DevInfrastructure;
import dev.orderly.testsupport.TestTokens;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * order-api on this JVM's own PostgreSQL and RabbitMQ, the private servers its integration tests use: run or debug this
 * class from an IDE to work on order-api alone, without {@code ./orderly up}. From the command line:
 *
 * <pre>{@code
 * ./mvnw -o -q install -DskipTests -pl order-api -am   # first, and after changing what it depends on
 * ./mvnw -o -pl order-api spring-boot:test-run   # -Dspring-boot.run.arguments="--server.port=0 --management.server.port=0"
 * }</pre>
 *
 * <p>{@link DevInfrastructure} starts the servers, connects order-api as its own database role {@code orderly_api} (its
 * Flyway migrations make the {@code orders} schema), and logs one line once it is ready saying where everything is: the
 * API (port 8080) and its management side (8090), the JDBC URL with the role's password, the broker and its management
 * UI; and a second line gives an access token for curl, signed with the key the tests' tokens are ({@link TestTokens}:
 * customer {@value Api#CUSTOMER}, every scope, valid an hour), since order-api lets no request in without one. Pass
 * {@code --spring.profiles.active=dev} to seed the development stock as {@code ./orderly up} does, and
 * {@code --logging.structured.format.console=} (empty) for plain-text logs. The servers and their data go when the JVM
 * exits.
 */
public final class TestOrderApiApplication {

    private TestOrderApiApplication() {}

    public static void main(String[] args) {
        application().run(args);
    }

    /** order-api's own main with {@link DevInfrastructure} added, and a token to call it with. */
    static SpringApplication.Augmented application() {
        return SpringApplication.from(OrderApiApplication::main).with(DevInfrastructure.class, DevToken.class);
    }

    /** Logs an access token for curl once order-api is ready. */
    @Configuration(proxyBeanMethods = false)
    static class DevToken {

        private static final System.Logger LOG = System.getLogger(DevToken.class.getName());

        @Bean
        static ApplicationListener<ApplicationReadyEvent> devTokenReport() {
            return event -> LOG.log(
                    System.Logger.Level.INFO,
                    "order-api takes an access token for curl (customer " + Api.CUSTOMER
                            + ", every scope, valid an hour): -H \"Authorization: Bearer "
                            + TestTokens.forClient(Api.CUSTOMER, Api.ALL_SCOPES) + "\"");
        }
    }
}
