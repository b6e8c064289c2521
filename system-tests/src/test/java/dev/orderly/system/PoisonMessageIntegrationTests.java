package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * A message no consumer can ever process is parked, with its reason, without holding up the good orders around it;
 * an operator finds it and purges it with {@code ./orderly parking-lot}, and the purge is on the record.
 */
@ExtendWith(PipelineExtension.class)
class PoisonMessageIntegrationTests {

    private final Pipeline pipeline;
    private final Shop shop;
    private final ParkingLot paymentParkingLot;

    PoisonMessageIntegrationTests(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.shop = new Shop(pipeline);
        this.paymentParkingLot = new ParkingLot(pipeline, "payment");
    }

    @Test
    void poisonMessageIsParkedWhileGoodOrdersShipAndAnOperatorPurgesIt() throws Exception {
        String sku = shop.newSku(100);
        String first = shop.place(sku, 1);
        String second = shop.place(sku, 1);

        String poisonId = "poison-" + UUID.randomUUID();
        publishIntoPaymentWork(poisonId, "{\"event_id\": not json at all".getBytes(StandardCharsets.UTF_8));

        String third = shop.place(sku, 1);
        String fourth = shop.place(sku, 1);

        JsonNode parked = paymentParkingLot.awaitParked(poisonId);
        assertThat(parked.path("reason").asString()).isEqualTo("UNPARSEABLE");
        assertThat(parked.path("originalRoutingKey").asString()).isEqualTo("payment.work");
        long parkedId = parked.path("id").asLong();
        Http.Answer detail = paymentParkingLot.show(parkedId);
        assertThat(detail.status()).isEqualTo(200);
        assertThat(detail.body().path("headers").path("orderly-failure-reason").asString())
                .isEqualTo("UNPARSEABLE");
        assertThat(detail.body().path("body").asString()).contains("not json at all");

        for (String orderId : List.of(first, second, third, fourth)) {
            shop.awaitStatus(orderId, "SHIPPED");
        }

        String purged = pipeline.orderly(
                "parking-lot", "payment", "purge", "--id", Long.toString(parkedId), "--confirm", "payment.parking-lot");
        assertThat(purged).contains("\"purged\":1");

        assertThat(paymentParkingLot.show(parkedId).status()).isEqualTo(404);
        assertThat(paymentParkingLot.find(poisonId)).isEmpty();
        String audit = pipeline.orderly("parking-lot", "payment", "audit");
        JsonNode latest =
                Http.JSON.readTree(audit.substring(audit.indexOf('{'))).path("audit");
        assertThat(latest).anySatisfy(entry -> {
            assertThat(entry.path("action").asString()).isEqualTo("PURGE");
            assertThat(entry.path("selection").asString()).isEqualTo("id=" + parkedId);
            assertThat(entry.path("affected").asInt()).isEqualTo(1);
            // ./orderly parking-lot calls with the operator client's token: its subject is the actor.
            assertThat(entry.path("actor").asString()).isEqualTo("operator");
        });
    }

    /** As the administrator, straight into the queue through the default exchange: no service would ever send it. */
    private void publishIntoPaymentWork(String messageId, byte[] body) throws Exception {
        try (Connection connection = pipeline.amqpAdmin();
                Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .messageId(messageId)
                    .contentType("application/json")
                    .deliveryMode(2)
                    .build();
            channel.basicPublish("", "payment.work", true, properties, body);
            channel.waitForConfirmsOrDie(10_000);
        }
    }
}
