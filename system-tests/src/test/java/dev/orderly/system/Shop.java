package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * What a client of order-api does: set stock, place orders, and follow them until they reach a final state.
 *
 * <p>Invariant: waiting always has a deadline, and stops early (failing) when the order reaches a different final state,
 * so a wrong outcome fails in seconds with the order's timeline rather than after the whole deadline.
 */
final class Shop {

    /** How long an order may take from POST to its final state on a busy 2-core machine. */
    static final Duration JOURNEY_DEADLINE = Duration.ofSeconds(120);

    private static final Set<String> FINAL = Set.of("SHIPPED", "REJECTED", "CANCELLED");

    private final Http api;

    Shop(Pipeline pipeline) {
        this.api = new Http(pipeline.api());
    }

    /** A SKU no other test uses, with {@code onHand} units. */
    String newSku(int onHand) {
        String sku = "SYS-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(java.util.Locale.ROOT);
        setStock(sku, onHand);
        return sku;
    }

    void setStock(String sku, int onHand) {
        Http.Answer answer = api.put("/inventory/" + sku, Map.of("on_hand", onHand));
        assertThat(answer.status()).as("PUT /inventory/%s: %s", sku, answer).isEqualTo(200);
    }

    /** {@code GET /inventory/{sku}}: on_hand, reserved, available. */
    JsonNode stock(String sku) {
        Http.Answer answer = api.get("/inventory/" + sku);
        assertThat(answer.status()).as("GET /inventory/%s: %s", sku, answer).isEqualTo(200);
        return answer.body();
    }

    /** Places an order for {@code quantity} of {@code sku} at 12.50 EUR each; returns its id once accepted (202). */
    String place(String customerId, String sku, int quantity) {
        Http.Answer answer = api.post(
                "/orders",
                Map.of(
                        "customer_id",
                        customerId,
                        "currency",
                        "EUR",
                        "lines",
                        List.of(Map.of("sku", sku, "quantity", quantity, "unit_price_cents", 1250))));
        assertThat(answer.status()).as("POST /orders: %s", answer).isEqualTo(202);
        assertThat(answer.body().path("status").asString()).isEqualTo("PENDING");
        return answer.body().path("order_id").asString();
    }

    JsonNode order(String orderId) {
        Http.Answer answer = api.get("/orders/" + orderId);
        assertThat(answer.status()).as("GET /orders/%s: %s", orderId, answer).isEqualTo(200);
        return answer.body();
    }

    /** Waits until the order is {@code status} (a final one) and returns it; fails at once on another final state. */
    JsonNode awaitStatus(String orderId, String status) {
        return await("order " + orderId + " " + status)
                .atMost(JOURNEY_DEADLINE)
                .pollInterval(Duration.ofMillis(250))
                .failFast("order " + orderId + " reached another final state than " + status, () -> {
                    String now = order(orderId).path("status").asString();
                    return FINAL.contains(now) && !now.equals(status);
                })
                .until(
                        () -> order(orderId),
                        order -> order.path("status").asString().equals(status));
    }

    /** The order's timeline as "event_type → STATUS" entries, in order. */
    static List<String> timeline(JsonNode order) {
        List<String> entries = new ArrayList<>();
        for (JsonNode entry : order.path("timeline")) {
            entries.add(entry.path("event_type").asString() + " → "
                    + entry.path("status").asString());
        }
        return entries;
    }
}
