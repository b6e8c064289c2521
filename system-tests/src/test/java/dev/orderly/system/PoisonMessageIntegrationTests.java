package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.InventoryReserved;
import dev.orderly.contracts.ReservedLine;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
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

    private final Pipeline pipeline;
    private final Shop shop;
    private final ParkingLot paymentParkingLot;
    private final PaymentWork paymentWork;

    PoisonMessageIntegrationTests(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.shop = new Shop(pipeline);
        this.paymentParkingLot = new ParkingLot(pipeline, "payment");
        this.paymentWork = new PaymentWork(pipeline);
    }

    @Test
    void poisonMessageIsParkedWhileGoodOrdersShipAndAnOperatorPurgesIt() throws Exception {
        String sku = shop.newSku(100);
        String first = shop.place(sku, 1);
        String second = shop.place(sku, 1);

        String poisonId = "poison-" + UUID.randomUUID();
        paymentWork.publish(poisonId, "{\"event_id\": not json at all".getBytes(StandardCharsets.UTF_8), true);
        // A valid inventory.reserved, signed with the pipeline's key, then one byte of its body flipped: were it
        // read, it would charge 1 cent more than was signed.
        Envelope<InventoryReserved> event = Envelope.of(
                new InventoryReserved(UUID.randomUUID(), "shop", "EUR", 250, List.of(new ReservedLine(sku, 1))),
                "order-worker",
                "tampered-" + UUID.randomUUID(),
                Clock.systemUTC());
        String tamperedId = event.eventId().toString();
        byte[] body = new EventCodec().toJson(event);
        paymentWork.publishTampered(event, body);

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
        assertThat(tamperedHeaders.path("orderly-key-id").asString()).isEqualTo(PaymentWork.KEY_ID);

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
}
