package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.InventoryReserved;
import dev.orderly.contracts.ReservedLine;
import dev.orderly.testsupport.TestMessageKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * A message no consumer can ever process is parked, with its reason, without holding up the good orders around it;
 * an operator finds it and purges it with {@code ./orderly parking-lot}, and the purge is on the record. A poison
 * message signed with the pipeline's key parks for what is wrong with its body; an event altered after it was signed
 * parks {@code SIGNATURE_INVALID}, unread.
 */
@ExtendWith(PipelineExtension.class)
class PoisonMessageIntegrationTests {

    /** The id of the message-signing key ./orderly up generates. */
    private static final String KEY_ID = "k1";

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
        publishIntoPaymentWork(poisonId, "{\"event_id\": not json at all".getBytes(StandardCharsets.UTF_8), true);
        // A valid inventory.reserved, signed with the pipeline's key, then one byte of its body flipped: were it
        // read, it would charge 1 cent more than was signed.
        Envelope<InventoryReserved> event = Envelope.of(
                new InventoryReserved(UUID.randomUUID(), "shop", "EUR", 250, List.of(new ReservedLine(sku, 1))),
                "order-worker",
                "tampered-" + UUID.randomUUID(),
                Clock.systemUTC());
        String tamperedId = event.eventId().toString();
        byte[] body = new EventCodec().toJson(event);
        publishTamperedIntoPaymentWork(event, body);

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

        JsonNode tampered = paymentParkingLot.awaitParked(tamperedId);
        assertThat(tampered.path("reason").asString()).isEqualTo("SIGNATURE_INVALID");
        JsonNode tamperedHeaders =
                paymentParkingLot.show(tampered.path("id").asLong()).body().path("headers");
        assertThat(tamperedHeaders.path("orderly-signature-failure").asString()).isEqualTo("MISMATCH");
        assertThat(tamperedHeaders.path("orderly-key-id").asString()).isEqualTo(KEY_ID);

        for (String orderId : List.of(first, second, third, fourth)) {
            shop.awaitStatus(orderId, "SHIPPED");
        }
        paymentParkingLot.purge(tampered.path("id").asLong());

        String purged = pipeline.orderly(
                "parking-lot", "payment", "purge", "--id", Long.toString(parkedId), "--confirm", "payment.parking-lot");
        assertThat(purged).contains("\"purged\":1");

        assertThat(paymentParkingLot.show(parkedId).status()).isEqualTo(404);
        assertThat(paymentParkingLot.find(poisonId)).isEmpty();
        String table = pipeline.orderly("parking-lot", "payment", "audit");
        assertThat(table.lines())
                .as("a table for people: a header, then the purge with its actor")
                .anySatisfy(line ->
                        assertThat(line).startsWith("AT").contains("ACTOR").contains("SELECTION"))
                .anySatisfy(line ->
                        assertThat(line).contains("operator").contains("PURGE").contains("id=" + parkedId));
        String audit = pipeline.orderly("parking-lot", "payment", "audit", "--json");
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

    /** The event, signed with the pipeline's key as order-worker signs it, with one byte of its body flipped after. */
    private void publishTamperedIntoPaymentWork(Envelope<?> event, byte[] body) throws Exception {
        AMQP.BasicProperties signed = TestMessageKeys.sign(
                properties(event.eventId().toString(), event.eventType(), event.producer()),
                body,
                KEY_ID,
                pipeline.setting("ORDERLY_MESSAGING_SIGNING_KEYS_" + KEY_ID.toUpperCase(Locale.ROOT)));
        String json = new String(body, StandardCharsets.UTF_8);
        int digit = json.indexOf("\"total_cents\":250") + "\"total_cents\":25".length();
        body[digit] ^= 0x01;
        publish(signed, body);
    }

    /**
     * As the administrator, straight into the queue through the default exchange: no service would ever send it.
     * Signed with the pipeline's key if {@code signed}, so that what parks it is its body.
     */
    private void publishIntoPaymentWork(String messageId, byte[] body, boolean signed) throws Exception {
        AMQP.BasicProperties properties = properties(messageId, "inventory.reserved", "order-worker");
        publish(
                signed
                        ? TestMessageKeys.sign(
                                properties,
                                body,
                                KEY_ID,
                                pipeline.setting("ORDERLY_MESSAGING_SIGNING_KEYS_" + KEY_ID.toUpperCase(Locale.ROOT)))
                        : properties,
                body);
    }

    private static AMQP.BasicProperties properties(String messageId, String type, String producer) {
        return new AMQP.BasicProperties.Builder()
                .messageId(messageId)
                .type(type)
                .contentType("application/json")
                .deliveryMode(2)
                .headers(Map.of("event_version", 1, "orderly-producer", producer))
                .build();
    }

    private void publish(AMQP.BasicProperties properties, byte[] body) throws Exception {
        try (Connection connection = pipeline.amqpAdmin();
                Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("", "payment.work", true, properties, body);
            channel.waitForConfirmsOrDie(10_000);
        }
    }
}
