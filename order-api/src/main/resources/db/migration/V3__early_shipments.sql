-- A shipment.scheduled that reached order-worker before its order's payment.authorized (both travel through
-- order.work, and with several consumers the later event can be taken first). Instead of retrying it until the payment
-- lands, order-worker keeps it here and applies PAID → SHIPPED in the same transaction as RESERVED → PAID. One per
-- order, as an order has one shipment; the row is deleted when it is applied.
CREATE TABLE early_shipments (
    order_id    uuid        PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    event_id    uuid        NOT NULL,
    event_type  text        NOT NULL,
    detail      text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    held_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
