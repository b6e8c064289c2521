-- Stock, reservations and order-worker's bookkeeping (DESIGN.md §7). order-api owns the schema; order-worker reads and
-- writes these tables through the default privileges of deploy/postgres/bootstrap.sql.

-- Stock per SKU. reserved is held for orders that are not shipped or cancelled yet; available = on_hand - reserved.
-- The checks make overselling impossible whatever the code does: a reservation beyond on_hand fails its statement.
CREATE TABLE inventory (
    sku        text        PRIMARY KEY CHECK (length(sku) BETWEEN 1 AND 64),
    on_hand    integer     NOT NULL CHECK (on_hand >= 0),
    reserved   integer     NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (reserved <= on_hand)
);

-- What each order holds, so releasing (payment declined) and fulfilling (shipped) happen once per line, whatever
-- redeliveries occur: a transition only applies to rows still RESERVED.
CREATE TABLE stock_reservations (
    order_id   uuid        NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    sku        text        NOT NULL,
    quantity   integer     NOT NULL CHECK (quantity > 0),
    state      text        NOT NULL CHECK (state IN ('RESERVED', 'RELEASED', 'SHIPPED')),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (order_id, sku)
);

-- The reliable-listener runtime (dev.orderly.messaging): events order-worker has applied, kept for a retention period
-- that outlasts any redelivery; the same shape in every worker schema.
CREATE TABLE processed_events (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX processed_events_processed_at ON processed_events (processed_at);

-- Parked messages, moved here from the order.parking-lot queue so they can be paged, inspected, replayed and purged;
-- fingerprint makes recording the same parked delivery twice keep one row.
CREATE TABLE parked_messages (
    id                   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint          bytea       NOT NULL UNIQUE,
    message_id           text,
    event_type           text,
    reason               text        NOT NULL,
    exception            text,
    attempts             integer,
    original_routing_key text,
    parked_at            timestamptz NOT NULL,
    properties           jsonb       NOT NULL,
    headers              jsonb       NOT NULL,
    body                 bytea       NOT NULL,
    recorded_at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX parked_messages_event_type ON parked_messages (event_type, id);
CREATE INDEX parked_messages_reason ON parked_messages (reason, id);

-- Who replayed or purged which parked messages, when.
CREATE TABLE parking_audit (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor     text        NOT NULL,
    action    text        NOT NULL CHECK (action IN ('REPLAY', 'PURGE')),
    selection text        NOT NULL,
    affected  integer     NOT NULL,
    at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
