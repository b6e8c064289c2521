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
 * What a client of order-api does: set stock and prices, place orders, and follow them until they reach a final state.
 * Orders send no prices: order-api charges the catalogue's; and no customer: an order is the customer's its access token
 * names. Each call carries a real token of the pipeline's auth-server ({@link Pipeline#token}): orders are placed and
 * read as one shop client ({@code shop}, or {@code decline-demo}, whose customer payment-worker declines: {@link
 * #declining()}), stock is set and read as {@code inventory-admin}.
 *
 * <p>Invariant: waiting always has a deadline, and stops early (failing) when the order reaches a different final state,
 * so a wrong outcome fails in seconds with the order's timeline rather than after the whole deadline.
 */
final class Shop {

    /** How long an order may take from POST to its final state on a busy 2-core machine. */
    static final Duration JOURNEY_DEADLINE = Duration.ofSeconds(120);

    /** What {@link #newSku} prices each unit at, in EUR cents; the dev stock's SKU-1 sells at the same. */
    static final long PRICE_CENTS = 1250;

    private static final Set<String> FINAL = Set.of("SHIPPED", "REJECTED", "CANCELLED");

    private final Pipeline pipeline;
    private final String client;
    private final Http orders;
    private final Http inventory;

    /** The {@code shop} client: its orders are customer {@code shop}'s, and pay. */
    Shop(Pipeline pipeline) {
        this(pipeline, "shop");
    }

    private Shop(Pipeline pipeline, String client) {
        this.pipeline = pipeline;
        this.client = client;
        this.orders = new Http(pipeline.api(), () -> pipeline.token(client));
        this.inventory = new Http(pipeline.api(), () -> pipeline.token("inventory-admin"));
    }

    /** The same shop as client {@code decline-demo}: payment-worker's simulator declines its customer's payments. */
    Shop declining() {
        return new Shop(pipeline, "decline-demo");
    }

    /** The customer this shop's orders are for: its client's id, the subject of its tokens. */
    String customer() {
        return client;
    }

    /** A SKU no other test uses, with {@code onHand} units at {@link #PRICE_CENTS} EUR. */
    String newSku(int onHand) {
        return newSku(onHand, PRICE_CENTS);
    }

    /** A SKU no other test uses, with {@code onHand} units at {@code priceCents} EUR. */
    String newSku(int onHand, long priceCents) {
        String sku = "SYS-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(java.util.Locale.ROOT);
        setStock(sku, onHand, priceCents);
        return sku;
    }

    /** Sets the SKU's stock on hand, keeping its price. */
    void setStock(String sku, int onHand) {
        put(sku, Map.of("on_hand", onHand));
    }

    /** Sets the SKU's stock on hand and its price in EUR cents, creating the SKU if it is new. */
    void setStock(String sku, int onHand, long priceCents) {
        put(sku, Map.of("on_hand", onHand, "price_cents", priceCents, "currency", "EUR"));
    }

    private void put(String sku, Map<String, Object> body) {
        Http.Answer answer = inventory.put("/inventory/" + sku, body);
        assertThat(answer.status()).as("PUT /inventory/%s: %s", sku, answer).isEqualTo(200);
    }

    /** {@code GET /inventory/{sku}}: on_hand, reserved, available, price_cents, currency. */
    JsonNode stock(String sku) {
        Http.Answer answer = inventory.get("/inventory/" + sku);
        assertThat(answer.status()).as("GET /inventory/%s: %s", sku, answer).isEqualTo(200);
        return answer.body();
    }

    /**
     * Places an order in EUR for {@code quantity} of {@code sku}, at whatever the catalogue's price is; returns its id
     * once accepted (202).
     */
    String place(String sku, int quantity) {
        Http.Answer answer = post(sku, quantity);
        assertThat(answer.status()).as("POST /orders: %s", answer).isEqualTo(202);
        assertThat(answer.body().path("status").asString()).isEqualTo("PENDING");
        return answer.body().path("order_id").asString();
    }

    /** {@code POST /orders} for {@code quantity} of {@code sku} in EUR, whatever it answers. */
    Http.Answer post(String sku, int quantity) {
        return orders.post(
                "/orders", Map.of("currency", "EUR", "lines", List.of(Map.of("sku", sku, "quantity", quantity))));
    }

    /** {@code GET /orders/{id}} of one of this shop's own orders. */
    JsonNode order(String orderId) {
        Http.Answer answer = orders.get("/orders/" + orderId);
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
