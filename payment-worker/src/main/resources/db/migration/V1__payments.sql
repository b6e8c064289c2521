-- The payments domain (DESIGN.md §7), owned by payment-worker (role orderly_payments owns schema payments).

-- One row per order charged or declined: what payment-worker decided and announced.
CREATE TABLE payments (
    order_id       uuid        PRIMARY KEY,
    payment_id     text,
    customer_id    text        NOT NULL,
    amount_cents   bigint      NOT NULL CHECK (amount_cents >= 0),
    currency       char(3)     NOT NULL,
    status         text        NOT NULL CHECK (status IN ('AUTHORIZED', 'DECLINED')),
    decline_reason text,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The simulated gateway's own ledger. Conceptually this belongs to the external payment provider, not to
-- payment-worker: it is kept here only so the simulator survives restarts, which is what proves that a redelivered
-- authorization never charges twice. Keyed by the idempotency key (the order id); requests counts every authorize
-- call the gateway received for the key, charged or not.
CREATE TABLE payment_ledger (
    idempotency_key text        PRIMARY KEY,
    payment_id      text        NOT NULL,
    customer_id     text        NOT NULL,
    amount_cents    bigint      NOT NULL,
    currency        char(3)     NOT NULL,
    approved        boolean     NOT NULL,
    decline_reason  text,
    requests        integer     NOT NULL DEFAULT 1,
    charged_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The transactional outbox (DESIGN.md §5). A row is written in the transaction of the change it announces and
-- published by outbox-relay, in id order, after the broker confirmed it. event_id is a fresh random UUID per event
-- and consumers deduplicate by it anyway, so it carries no unique index: that index would be one more random B-tree
-- insert on the hottest table, guarding against nothing.
CREATE TABLE outbox (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid        NOT NULL,
    event_type      text        NOT NULL,
    routing_key     text        NOT NULL,
    aggregate_id    text        NOT NULL,
    -- json, not jsonb: the exact bytes the producer serialised are the bytes consumers receive.
    payload         json        NOT NULL,
    headers         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_at    timestamptz,
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    last_attempt_at timestamptz
);
-- The relay's work queue and the backlog gauges read only unpublished rows: keep that query on a small index.
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
-- Retention deletes published rows by age.
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- No NOTIFY trigger here, on purpose: PostgreSQL serialises the commits of all notifying transactions behind one
-- lock, which would queue every order's commit behind every other's. The writer notifies after commit instead
-- (dev.orderly.messaging.outbox.OutboxNotifier), and the relay also polls.

-- The relay reads, marks and (after retention) deletes outbox rows, and touches nothing else in this schema.
REVOKE ALL ON outbox FROM ${relay_role};
GRANT SELECT, UPDATE, DELETE ON outbox TO ${relay_role};

-- The reliable-listener runtime (dev.orderly.messaging): events this worker has applied, kept for a retention period
-- that outlasts any redelivery; the same shape in every worker schema.
CREATE TABLE processed_events (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX processed_events_processed_at ON processed_events (processed_at);

-- Parked messages, moved here from the parking-lot queue so they can be paged, inspected, replayed and purged;
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
