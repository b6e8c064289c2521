package dev.orderly.worker.order;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.EventData;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
import dev.orderly.contracts.Topology;
import dev.orderly.testsupport.TestMessageKeys;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Test fixtures: orders stored as order-api stores them, stock set as {@code PUT /inventory} sets it, and events
 * published as the outbox relay publishes them (persistent, message id = event id, type = event type, headers
 * {@code event_version} and {@code traceparent}), signed with the tests' key ({@link TestMessageKeys}).
 */
final class OrderEvents {

    static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final RabbitTemplate rabbit;
    private final JdbcClient jdbc;
    private final EventCodec codec = new EventCodec();

    OrderEvents(RabbitTemplate rabbit, JdbcClient jdbc) {
        this.rabbit = rabbit;
        this.jdbc = jdbc;
    }

    void stock(String sku, int onHand) {
        jdbc.sql("INSERT INTO inventory (sku, on_hand) VALUES (?, ?) "
                        + "ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, reserved = 0")
                .params(sku, onHand)
                .update();
    }

    /** A PENDING order as order-api stores it, and its order.created envelope (not yet published). */
    Envelope<OrderCreated> pendingOrder(List<OrderLine> lines) {
        long total = lines.stream()
                .mapToLong(line -> line.quantity() * line.unitPriceCents())
                .sum();
        Envelope<OrderCreated> created =
                envelope(new OrderCreated(UUID.randomUUID(), "c-1", "EUR", total, lines), "order-api");
        pendingOrderWithId(created);
        return created;
    }

    /** Stores the order of an order.created envelope as PENDING. */
    void pendingOrderWithId(Envelope<OrderCreated> created) {
        UUID orderId = created.data().orderId();
        long total = created.data().totalCents();
        List<OrderLine> lines = created.data().lines();
        OffsetDateTime now = OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC);
        jdbc.sql("INSERT INTO orders (id, customer_id, currency, total_cents, status, created_at, updated_at) "
                        + "VALUES (?, 'c-1', 'EUR', ?, 'PENDING', ?, ?)")
                .params(orderId, total, now, now)
                .update();
        for (int i = 0; i < lines.size(); i++) {
            OrderLine line = lines.get(i);
            jdbc.sql("INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_cents) "
                            + "VALUES (?, ?, ?, ?, ?)")
                    .params(orderId, i + 1, line.sku(), line.quantity(), line.unitPriceCents())
                    .update();
        }
    }

    static <D extends EventData> Envelope<D> envelope(D data, String producer) {
        String correlation = switch (data) {
            case OrderCreated e -> e.orderId().toString();
            case dev.orderly.contracts.PaymentAuthorized e -> e.orderId().toString();
            case dev.orderly.contracts.PaymentDeclined e -> e.orderId().toString();
            case dev.orderly.contracts.ShipmentScheduled e -> e.orderId().toString();
            case dev.orderly.contracts.InventoryRejected e -> e.orderId().toString();
            case dev.orderly.contracts.InventoryReserved e -> e.orderId().toString();
        };
        return Envelope.of(data, producer, correlation, Clock.systemUTC());
    }

    void publish(Envelope<?> envelope) {
        publish(envelope, Map.of());
    }

    /** As the relay publishes {@code envelope}, with {@code headers} from its outbox row's besides the usual. */
    void publish(Envelope<?> envelope, Map<String, Object> headers) {
        publish(envelope.eventType(), envelope.eventId().toString(), codec.toJson(envelope), headers);
    }

    void publish(String routingKey, String messageId, byte[] body) {
        publish(routingKey, messageId, body, Map.of());
    }

    private void publish(String routingKey, String messageId, byte[] body, Map<String, Object> headers) {
        MessageProperties props = new MessageProperties();
        headers.forEach(props::setHeader);
        props.setMessageId(messageId);
        props.setType(routingKey);
        props.setContentType(MessageHeaders.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setHeader(MessageHeaders.EVENT_VERSION, 1);
        props.setHeader(MessageHeaders.TRACEPARENT, TRACEPARENT);
        rabbit.send(Topology.EVENTS_EXCHANGE, routingKey, TestMessageKeys.sign(new Message(body, props)));
    }

    String status(UUID orderId) {
        return jdbc.sql("SELECT status FROM orders WHERE id = ?")
                .param(orderId)
                .query(String.class)
                .single();
    }

    int[] stockOf(String sku) {
        return jdbc.sql("SELECT on_hand, reserved FROM inventory WHERE sku = ?")
                .param(sku)
                .query((rs, n) -> new int[] {rs.getInt(1), rs.getInt(2)})
                .single();
    }

    long outbox(UUID orderId, String eventType) {
        return jdbc.sql("SELECT count(*) FROM outbox WHERE aggregate_id = ? AND event_type = ?")
                .params(orderId.toString(), eventType)
                .query(Long.class)
                .single();
    }

    /** The order's timeline entries as "event_type:STATUS retries replayed", in the order they were recorded. */
    List<String> retries(UUID orderId) {
        return jdbc.sql("SELECT event_type || ':' || status || ' ' || retries || ' ' || replayed FROM order_timeline "
                        + "WHERE order_id = ? ORDER BY recorded_at")
                .param(orderId)
                .query(String.class)
                .list();
    }

    List<String> timeline(UUID orderId) {
        return jdbc.sql("SELECT event_type || ':' || status FROM order_timeline WHERE order_id = ? "
                        + "ORDER BY recorded_at")
                .param(orderId)
                .query(String.class)
                .list();
    }
}
