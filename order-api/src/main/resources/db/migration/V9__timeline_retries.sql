-- What each step of an order's timeline took besides a first delivery: the retries of the deliveries that made it
-- (the producer's, for the event that caused it, and order-worker's own) and whether one of them was replayed out of a
-- parking lot. Shown with the timeline (GET /orders/{id}, the console's picture); nothing decides on them. A held
-- shipment keeps its own until it is applied. Constant defaults and no CHECK: PostgreSQL adds these columns to the
-- catalogue only, without rewriting or scanning the table (a CHECK would be validated by reading every row while the
-- table is locked; the writer never stores a negative count, dev.orderly.messaging.consumer.Retries refuses one).
ALTER TABLE order_timeline
    ADD COLUMN retries  integer NOT NULL DEFAULT 0,
    ADD COLUMN replayed boolean NOT NULL DEFAULT false;

ALTER TABLE early_shipments
    ADD COLUMN retries  integer NOT NULL DEFAULT 0,
    ADD COLUMN replayed boolean NOT NULL DEFAULT false;
