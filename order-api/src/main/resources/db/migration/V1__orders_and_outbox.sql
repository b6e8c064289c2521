-- The orders domain: orders, their lines and timeline, idempotency keys, and the outbox.
-- Owned by order-api (role orderly_api owns schema orders); order-worker reads and writes these tables through the
-- default privileges set in deploy/postgres/bootstrap.sql.

CREATE TABLE orders (
    id          uuid        PRIMARY KEY,
    customer_id text        NOT NULL CHECK (length(customer_id) BETWEEN 1 AND 64),
    currency    char(3)     NOT NULL,
    total_cents bigint      NOT NULL CHECK (total_cents >= 0),
    status      text        NOT NULL
        CHECK (status IN ('PENDING', 'RESERVED', 'PAID', 'SHIPPED', 'REJECTED', 'CANCELLED')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE order_lines (
    order_id         uuid    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no          integer NOT NULL,
    sku              text    NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
    quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
    unit_price_cents bigint  NOT NULL CHECK (unit_price_cents BETWEEN 0 AND 1000000000),
    PRIMARY KEY (order_id, line_no)
);

-- One row per event that touched the order. The key (order_id, event_id) makes appending idempotent and is also the
-- index GET /orders/{id} reads the timeline by: no surrogate key, one index fewer to maintain on every order.
CREATE TABLE order_timeline (
    order_id    uuid        NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    event_id    uuid        NOT NULL,
    event_type  text        NOT NULL,
    status      text        NOT NULL,
    detail      text,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (order_id, event_id)
);

-- Idempotency-Key of POST /orders: the first answer, kept until expires_at, and the hash of the request it answered.
CREATE TABLE idempotency_keys (
    idempotency_key text        PRIMARY KEY,
    request_hash    bytea       NOT NULL,
    order_id        uuid        NOT NULL,
    response        jsonb       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

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

-- The default privileges of bootstrap.sql also reached Flyway's own history table: order-worker has no business there.
REVOKE ALL ON flyway_schema_history FROM ${order_worker_role};
