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
        try (ConfigurableApplicationContext context =
                TestOrderApiApplication.application().run("--server.port=0").getApplicationContext()) {
            int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            Api api = new Api(port);
            await("order-api ready over HTTP")
                    .atMost(DEADLINE)
                    .until(() -> api.get("/actuator/health/readiness").statusCode() == 200);

            JdbcClient jdbc = JdbcClient.create(context.getBean(DataSource.class));
            assertThat(jdbc.sql("SELECT current_user").query(String.class).single())
                    .isEqualTo("orderly_api");
            assertThat(context.getEnvironment().getProperty("spring.datasource.url"))
                    .isEqualTo(OrderlyInfrastructure.postgres().jdbcUrl());

            HttpResponse<String> placed = api.postOrder(Api.order("dev-" + UUID.randomUUID(), api.newSku(100), 1));
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
                    .contains(OrderlyInfrastructure.postgres().jdbcUrl() + " as orderly_api")
                    .contains("management http://"
                            + OrderlyInfrastructure.rabbit().host() + ":"
                            + OrderlyInfrastructure.rabbit().managementPort());
        }
    }
}
