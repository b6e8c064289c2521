-- The two-row transaction behind an accepted order: the order and its outbox row, of the same shapes and sizes.
\set n random(1, 1000000000)
BEGIN;
INSERT INTO bench.orders (id, customer_id, currency, total_cents, status, created_at, updated_at)
VALUES (gen_random_uuid(), 'bench-' || :n, 'EUR', 2599, 'PENDING', now(), now());
INSERT INTO bench.outbox (event_id, event_type, routing_key, aggregate_id, payload, headers)
VALUES (gen_random_uuid(), 'order.created', 'order.created', :n,
        '{"event_id":"6f1c2b8e-7d43-4f0a-9a57-0c0f8b1f6e21","event_type":"order.created","event_version":1,"occurred_at":"2026-11-23T12:00:00.123456Z","producer":"order-api","correlation_id":"0b4c5d2e-3f61-4a7b-8c9d-0e1f2a3b4c5d","data":{"order_id":"0b4c5d2e-3f61-4a7b-8c9d-0e1f2a3b4c5d","customer_id":"bench-123456-42","currency":"EUR","total_cents":2599,"lines":[{"sku":"SKU-42","quantity":2,"unit_price_cents":1250},{"sku":"SKU-49","quantity":1,"unit_price_cents":99}]}}',
        '{"event_version":1,"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}');
END;
