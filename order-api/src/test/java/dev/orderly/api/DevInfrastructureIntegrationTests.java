package dev.orderly.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.OrderlyInfrastructure;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@link TestOrderApiApplication}, the way a developer runs order-api from an IDE: its own main, on the tests' private
 * servers, as its own role, answering over HTTP, and saying where everything is.
 */
@ExtendWith(OutputCaptureExtension.class)
class DevInfrastructureIntegrationTests {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void orderApiStartsAgainstThePrivateServersWithItsOwnRole(CapturedOutput output) {
        try (ConfigurableApplicationContext context = TestOrderApiApplication.application()
                .run("--server.port=0", "--management.server.port=0")
                .getApplicationContext()) {
            int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            int managementPort = context.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
            Api api = new Api(port);
            Api management = new Api(managementPort).withToken(null);
            await("order-api ready over HTTP")
                    .atMost(DEADLINE)
                    .until(() -> management.get("/actuator/health/readiness").statusCode() == 200);

            JdbcClient jdbc = JdbcClient.create(context.getBean(DataSource.class));
            assertThat(jdbc.sql("SELECT current_user").query(String.class).single())
                    .isEqualTo("orderly_api");
            assertThat(context.getEnvironment().getProperty("spring.datasource.url"))
                    .isEqualTo(OrderlyInfrastructure.postgres().jdbcUrl());

            HttpResponse<String> placed = api.postOrder(Api.order(api.newSku(100), 1));
            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
            assertThat(jdbc.sql("SELECT count(*) FROM orders WHERE id = ?")
                            .param(UUID.fromString(
                                    Api.json(placed).get("order_id").asString()))
                            .query(Long.class)
                            .single())
                    .isOne();

            assertThat(output.getOut())
                    .as("one line says where to point curl, psql and a browser")
                    .contains("order-api is up on http://127.0.0.1:" + port)
                    .contains("management http://127.0.0.1:" + managementPort)
                    .contains("an access token for curl")
                    .contains(OrderlyInfrastructure.postgres().jdbcUrl() + " as orderly_api")
                    .contains("management http://"
                            + OrderlyInfrastructure.rabbit().host() + ":"
                            + OrderlyInfrastructure.rabbit().managementPort());
        }
    }
}
