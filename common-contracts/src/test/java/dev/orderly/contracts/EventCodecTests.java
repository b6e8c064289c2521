package dev.orderly.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import dev.orderly.contracts.InvalidEventException.Problem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class EventCodecTests {

    private static final SchemaCatalog CATALOG = SchemaCatalog.load();

    private final EventCodec codec = new EventCodec(CATALOG);

    static Stream<EventData> events() {
        return Events.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void everyEventSerialisesToJsonValidAgainstItsSchemas(EventData data) {
        JsonNode json = Json.mapper().readTree(codec.toJson(Events.envelope(data)));

        assertThat(CATALOG.envelopeSchema().validate(json)).isEmpty();
        assertThat(CATALOG.dataSchema(data.eventType(), data.eventVersion())
                        .orElseThrow()
                        .validate(json.get("data")))
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void everyEventRoundTripsEqual(EventData data) {
        Envelope<EventData> envelope = Events.envelope(data);

        assertThat(codec.fromJson(codec.toJson(envelope))).isEqualTo(envelope);
        assertThat(codec.fromJson(codec.toJsonString(envelope))).isEqualTo(envelope);
    }

    @Test
    void envelopeIsSnakeCaseWithTheDocumentedFieldsInOrder() {
        JsonNode json = Json.mapper().readTree(codec.toJsonString(Events.envelope(Events.orderCreated())));

        assertThat(json.propertyNames())
                .containsExactly(
                        "event_id", "event_type", "event_version", "occurred_at", "producer", "correlation_id", "data");
        assertThat(json.get("event_type").asString()).isEqualTo("order.created");
        assertThat(json.get("event_version").asInt()).isEqualTo(1);
        assertThat(json.get("occurred_at").asString()).isEqualTo("2026-03-27T16:00:00Z");
        assertThat(json.get("producer").asString()).isEqualTo("order-api");
        assertThat(json.get("correlation_id").asString()).isEqualTo(Events.ORDER_ID.toString());
    }

    @Test
    void orderCreatedDataUsesTheDocumentedFieldNames() {
        JsonNode data = dataOf(Events.orderCreated());

        assertThat(data.propertyNames())
                .containsExactlyInAnyOrder("order_id", "customer_id", "currency", "total_cents", "lines");
        assertThat(data.get("total_cents").isIntegralNumber()).isTrue();
        assertThat(data.get("lines").get(0).propertyNames())
                .containsExactlyInAnyOrder("sku", "quantity", "unit_price_cents");
    }

    @Test
    void everyOtherEventUsesTheDocumentedFieldNames() {
        assertThat(dataOf(Events.inventoryReserved()).propertyNames())
                .containsExactlyInAnyOrder("order_id", "customer_id", "currency", "total_cents", "lines");
        assertThat(dataOf(Events.inventoryReserved()).get("lines").get(0).propertyNames())
                .containsExactlyInAnyOrder("sku", "quantity");
        assertThat(dataOf(Events.inventoryRejected()).propertyNames())
                .containsExactlyInAnyOrder("order_id", "reason", "shortages");
        assertThat(dataOf(Events.inventoryRejected()).get("shortages").get(0).propertyNames())
                .containsExactlyInAnyOrder("sku", "requested", "available");
        assertThat(dataOf(Events.paymentAuthorized()).propertyNames())
                .containsExactlyInAnyOrder("order_id", "payment_id", "customer_id", "amount_cents", "currency");
        assertThat(dataOf(Events.paymentDeclined()).propertyNames())
                .containsExactlyInAnyOrder("order_id", "reason", "amount_cents", "currency");
        JsonNode shipment = dataOf(Events.shipmentScheduled());
        assertThat(shipment.propertyNames())
                .containsExactlyInAnyOrder(
                        "order_id", "shipment_id", "carrier", "tracking_number", "estimated_delivery");
        assertThat(shipment.get("estimated_delivery").asString()).isEqualTo("2026-04-01");
    }

    @Test
    void unbalancedJsonIsUnparseable() {
        assertThatThrownBy(() -> codec.fromJson("{not json"))
                .asInstanceOf(type(InvalidEventException.class))
                .satisfies(e -> {
                    assertThat(e.problem()).isEqualTo(Problem.UNPARSEABLE);
                    assertThat(e.getMessage())
                            .startsWith("not JSON: Unexpected character")
                            .endsWith(" at line 1 column 2");
                    assertThat(e.eventId()).isEmpty();
                    assertThat(e.eventType()).isEmpty();
                });
    }

    @Test
    void emptyBodyIsUnparseable() {
        assertThatThrownBy(() -> codec.fromJson(new byte[0]))
                .asInstanceOf(type(InvalidEventException.class))
                .satisfies(e -> {
                    assertThat(e.problem()).isEqualTo(Problem.UNPARSEABLE);
                    assertThat(e.getMessage()).startsWith("not JSON");
                });
    }

    @Test
    void trailingGarbageAfterTheEnvelopeIsUnparseable() {
        String json = codec.toJsonString(Events.envelope(Events.orderCreated())) + " }";

        assertThatThrownBy(() -> codec.fromJson(json))
                .asInstanceOf(type(InvalidEventException.class))
                .extracting(InvalidEventException::problem)
                .isEqualTo(Problem.UNPARSEABLE);
    }

    @Test
    void aMemberGivenTwiceIsUnparseable() {
        String json = codec.toJsonString(Events.envelope(Events.orderCreated()))
                .replace("\"total_cents\":2500", "\"total_cents\":2500,\"total_cents\":1");

        assertThatThrownBy(() -> codec.fromJson(json))
                .asInstanceOf(type(InvalidEventException.class))
                .satisfies(e -> {
                    assertThat(e.problem()).isEqualTo(Problem.UNPARSEABLE);
                    assertThat(e.getMessage()).contains("total_cents");
                });
    }

    @Test
    void jsonThatIsNotAnObjectIsSchemaInvalid() {
        assertThatThrownBy(() -> codec.fromJson("[1, 2]"))
                .asInstanceOf(type(InvalidEventException.class))
                .extracting(InvalidEventException::problem)
                .isEqualTo(Problem.SCHEMA_INVALID);
    }

    @Test
    void missingOrderIdInDataIsSchemaInvalidAndNamesTheField() {
        ObjectNode json = orderCreatedJson();
        ((ObjectNode) json.get("data")).remove("order_id");

        InvalidEventException e = rejected(json);

        assertThat(e.problem()).isEqualTo(Problem.SCHEMA_INVALID);
        assertThat(e.getMessage())
                .startsWith("order.created v1 is schema-invalid: $.data")
                .contains("order_id");
        assertThat(e.eventId()).contains(json.get("event_id").asString());
        assertThat(e.eventType()).contains("order.created");
        assertThat(e.eventVersion()).hasValue(1);
    }

    @Test
    void missingEventIdIsSchemaInvalidAndNamesTheField() {
        ObjectNode json = orderCreatedJson();
        json.remove("event_id");

        InvalidEventException e = rejected(json);

        assertThat(e.problem()).isEqualTo(Problem.SCHEMA_INVALID);
        assertThat(e.getMessage())
                .startsWith("order.created v1 envelope is schema-invalid: $")
                .contains("event_id");
        assertThat(e.eventId()).isEmpty();
        assertThat(e.eventType()).contains("order.created");
    }

    @Test
    void totalCentsAsAStringIsSchemaInvalidAndNamesTheFieldAndTypes() {
        ObjectNode json = orderCreatedJson();
        ((ObjectNode) json.get("data")).put("total_cents", "2500");

        InvalidEventException e = rejected(json);

        assertThat(e.problem()).isEqualTo(Problem.SCHEMA_INVALID);
        assertThat(e.getMessage())
                .isEqualTo("order.created v1 is schema-invalid: $.data.total_cents: integer expected, string found");
    }

    @Test
    void aViolationInsideALineNamesItsIndex() {
        ObjectNode json = orderCreatedJson();
        ((ObjectNode) json.get("data").get("lines").get(1)).put("quantity", 0);

        assertThat(rejected(json).getMessage())
                .startsWith("order.created v1 is schema-invalid: $.data.lines[1].quantity: ");
    }

    @Test
    void emptyLinesAreSchemaInvalid() {
        ObjectNode json = orderCreatedJson();
        ((ArrayNode) json.get("data").get("lines")).removeAll();

        InvalidEventException e = rejected(json);

        assertThat(e.problem()).isEqualTo(Problem.SCHEMA_INVALID);
        assertThat(e.getMessage()).contains("$.data.lines");
    }

    @Test
    void malformedUuidsAndTimesAreSchemaInvalidBecauseFormatsAreAsserted() {
        ObjectNode badEventId = orderCreatedJson();
        badEventId.put("event_id", "not-a-uuid");
        ObjectNode badOrderId = orderCreatedJson();
        ((ObjectNode) badOrderId.get("data")).put("order_id", "42");
        ObjectNode badTime = orderCreatedJson();
        badTime.put("occurred_at", "yesterday");

        assertThat(rejected(badEventId).getMessage()).endsWith("$.event_id: not a valid uuid");
        assertThat(rejected(badOrderId).getMessage()).endsWith("$.data.order_id: not a valid uuid");
        assertThat(rejected(badTime).getMessage()).endsWith("$.occurred_at: not a valid date-time");
        assertThat(List.of(rejected(badEventId), rejected(badOrderId), rejected(badTime)))
                .extracting(InvalidEventException::problem)
                .containsOnly(Problem.SCHEMA_INVALID);
    }

    @Test
    void lowerCaseCurrencyIsSchemaInvalid() {
        ObjectNode json = orderCreatedJson();
        ((ObjectNode) json.get("data")).put("currency", "eur");

        assertThat(rejected(json).getMessage()).contains("$.data.currency");
    }

    @Test
    void schemaValidDataThatBreaksARecordInvariantIsSchemaInvalid() {
        ObjectNode json = Json.mapper().valueToTree(Events.envelope(Events.inventoryRejected()));
        ((ObjectNode) json.get("data").get("shortages").get(0)).put("available", 5);

        InvalidEventException e = rejected(json);

        assertThat(e.problem()).isEqualTo(Problem.SCHEMA_INVALID);
        assertThat(e.getMessage()).startsWith("inventory.rejected v1 is schema-valid but does not bind");
    }

    @Test
    void unknownEventTypeIsReportedWithTheKnownTypes() {
        ObjectNode json = orderCreatedJson();
        json.put("event_type", "order.teleported");

        InvalidEventException e = rejected(json);

        assertThat(e.problem()).isEqualTo(Problem.UNKNOWN_EVENT_TYPE);
        assertThat(e.getMessage()).startsWith("unknown event_type 'order.teleported' (known: order.created, ");
        assertThat(e.eventType()).contains("order.teleported");
    }

    @Test
    void unknownVersionIsReportedWithTheKnownVersions() {
        ObjectNode json = orderCreatedJson();
        json.put("event_version", 7);

        InvalidEventException e = rejected(json);

        assertThat(e.problem()).isEqualTo(Problem.UNKNOWN_VERSION);
        assertThat(e.getMessage()).isEqualTo("unknown event_version 7 for order.created (known: 1)");
        assertThat(e.eventId()).contains(json.get("event_id").asString());
        assertThat(e.eventVersion()).hasValue(7);
    }

    @Test
    void unknownVersionWinsOverDataThatBreaksTheKnownVersionsSchema() {
        ObjectNode json = orderCreatedJson();
        json.put("event_version", 2);
        ((ObjectNode) json.get("data")).remove("lines");

        assertThat(rejected(json).problem()).isEqualTo(Problem.UNKNOWN_VERSION);
    }

    @Test
    void additiveUnknownFieldsAreAccepted() {
        Envelope<OrderCreated> envelope = Events.envelope(Events.orderCreated());
        ObjectNode json = Json.mapper().valueToTree(envelope);
        ((ObjectNode) json.get("data")).put("gift_wrap", true);
        ((ObjectNode) json.get("data").get("lines").get(0)).put("colour", "red");
        json.put("tenant", "acme");

        assertThat(codec.fromJson(Json.mapper().writeValueAsBytes(json))).isEqualTo(envelope);
    }

    @Test
    void occurredAtWithAnOffsetIsReadAsTheSameInstant() {
        Envelope<OrderCreated> envelope = Events.envelope(Events.orderCreated());
        ObjectNode json = Json.mapper().valueToTree(envelope);
        json.put("occurred_at", "2026-03-27T18:00:00+02:00");

        assertThat(codec.fromJson(Json.mapper().writeValueAsString(json))).isEqualTo(envelope);
    }

    @Test
    void bodiesAreDecodedByTheRecordTheirTypeNames() {
        Envelope<?> decoded = codec.fromJson(codec.toJson(Events.envelope(Events.paymentAuthorized())));

        String handled = switch (decoded.data()) {
            case PaymentAuthorized authorized -> authorized.paymentId();
            default -> "wrong record";
        };
        assertThat(handled).isEqualTo("pay_123");
    }

    @Test
    void oneCodecDecodesConcurrently() throws Exception {
        List<byte[]> bodies =
                Events.all().map(Events::envelope).map(codec::toJson).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int worker = 0; worker < 4; worker++) {
                results.add(pool.submit(() -> {
                    int decoded = 0;
                    for (int i = 0; i < 250; i++) {
                        for (byte[] body : bodies) {
                            codec.fromJson(body);
                            decoded++;
                        }
                    }
                    return decoded;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(250 * bodies.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private JsonNode dataOf(EventData data) {
        return Json.mapper().readTree(codec.toJson(Events.envelope(data))).get("data");
    }

    private ObjectNode orderCreatedJson() {
        return (ObjectNode) Json.mapper().readTree(codec.toJson(Events.envelope(Events.orderCreated())));
    }

    private InvalidEventException rejected(JsonNode json) {
        byte[] body = Json.mapper().writeValueAsString(json).getBytes(StandardCharsets.UTF_8);
        try {
            codec.fromJson(body);
        } catch (InvalidEventException e) {
            return e;
        }
        throw new AssertionError("expected " + json + " to be rejected");
    }
}
