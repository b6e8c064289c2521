-- The runtime's bookkeeping tables, as every worker schema has them, plus the probe handler's effects.
CREATE TABLE processed_events (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX processed_events_processed_at ON processed_events (processed_at);

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

CREATE TABLE parking_audit (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor     text        NOT NULL,
    action    text        NOT NULL CHECK (action IN ('REPLAY', 'PURGE')),
    selection text        NOT NULL,
    affected  integer     NOT NULL,
    at        timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE probe_effects (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id   uuid   NOT NULL,
    order_id   text   NOT NULL,
    attempt    integer NOT NULL
);
