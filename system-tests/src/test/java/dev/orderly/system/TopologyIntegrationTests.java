package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deployment owns the broker topology, and the relay never publishes an event to only part of its consumers.
 *
 * <p>The window this closes: {@code payment.authorized} goes to order-worker and shipping-worker. With
 * {@code shipping.work} missing (never declared because shipping-worker had not started yet, or deleted and not yet
 * re-created, say to change its delivery limit), a publish is confirmed by {@code order.work} alone, the row is marked
 * published, and the event is gone for shipping: the customer is charged and the order stays PAID for ever.
 */
@ExtendWith(PipelineExtension.class)
class TopologyIntegrationTests {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Pipeline pipeline;
    private final Shop shop;
    private final Faults faults;

    TopologyIntegrationTests(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.shop = new Shop(pipeline);
        this.faults = new Faults(pipeline);
    }

    @AfterEach
    void mendThePipeline() {
        faults.restore();
    }

    @Test
    void aPaymentWhoseShippingQueueIsMissingIsHeldUntilTheDeploymentRestoresItAndThenTheOrderShips() throws Exception {
        faults.awaitAllReady();
        faults.kill9("shipping-worker");
        try (Connection admin = pipeline.amqpAdmin()) {
            admin.createChannel().queueDelete("shipping.work");
        }
        await("the relay reporting the missing route in its readiness")
                .atMost(DEADLINE)
                .until(() -> relayReadiness().contains("shipping.work"));

        String orderId = shop.place("SKU-1", 1);

        await("the payment taken and its payment.authorized held in the outbox")
                .atMost(DEADLINE)
                .until(() -> heldPaymentAuthorized(orderId));
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> heldPaymentAuthorized(orderId));
        assertThat(shop.order(orderId).path("status").asString())
                .as("not PAID either: the event went to neither consumer")
                .isEqualTo("RESERVED");

        // What an operator does: ./orderly up imports the deployment's topology (shipping.work and its bindings back)
        // and starts what is not running.
        faults.up("topology");

        shop.awaitStatus(orderId, "SHIPPED");
        assertThat(relayReadiness()).doesNotContain("\"DOWN\"");
    }

    /** Whether the order's payment.authorized row is in payments.outbox and not published. */
    private boolean heldPaymentAuthorized(String orderId) throws Exception {
        try (java.sql.Connection db = pipeline.database("postgres", pipeline.setting("ORDERLY_POSTGRES_PASSWORD"));
                Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT published_at IS NULL FROM payments.outbox WHERE "
                        + "event_type = 'payment.authorized' AND aggregate_id = '" + UUID.fromString(orderId) + "'")) {
            return rows.next() && rows.getBoolean(1);
        }
    }

    private String relayReadiness() throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(faults.base("outbox-relay") + "/actuator/health/readiness"))
                                .timeout(Duration.ofSeconds(10))
                                // Its contributors' states are details, shown only to a token with actuator:read.
                                .header("Authorization", "Bearer " + pipeline.token("operator"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
