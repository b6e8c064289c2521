package dev.orderly.worker.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.OrderlyInfrastructure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@link TestOrderWorkerApplication}, the way a developer runs order-worker from an IDE: its own main, on the tests'
 * private servers, as its own role, consuming from the broker (readiness includes the broker, the work queue's
 * listener and the topology) once order-api's migrations have made the {@code orders} schema.
 */
class DevInfrastructureIntegrationTests {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void orderWorkerStartsAgainstThePrivateServersWithItsOwnRoleAndListensOnItsQueue() {
        try (ConfigurableApplicationContext context =
                TestOrderWorkerApplication.application().run("--server.port=0").getApplicationContext()) {
            int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            await("order-worker ready: database, broker, work queue listener, topology")
                    .atMost(DEADLINE)
                    .until(() -> readiness(port).statusCode() == 200);

            JdbcClient jdbc = JdbcClient.create(context.getBean(DataSource.class));
            assertThat(jdbc.sql("SELECT current_user").query(String.class).single())
                    .isEqualTo("orderly_order_worker");
            assertThat(jdbc.sql("SELECT count(*) FROM inventory")
                            .query(Long.class)
                            .single())
                    .as("order-api's migrations made the orders schema the worker reads")
                    .isNotNegative();
            CachingConnectionFactory broker = context.getBean(CachingConnectionFactory.class);
            assertThat(broker.getPort())
                    .isEqualTo(OrderlyInfrastructure.rabbit().amqpPort());
            assertThat(broker.getVirtualHost()).isEqualTo("orderly");
        }
    }

    private HttpResponse<String> readiness(int port) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
