-- An Idempotency-Key is its caller's: the primary key becomes (principal, idempotency_key), principal being the
-- customer the caller's access token names (orderly.api.security.customer-claim). The same key sent by another caller
-- is another key: it creates that caller's own order, and never answers with, or names, the first caller's.
--
-- The keys stored before callers were known belong to no caller, and answering any caller with one could hand it
-- another's order: they are deleted. They were only answers remembered for retries (24 h by default); the orders
-- themselves stay. A retry of a request sent before this migration carries a token now, and is a new request.
DELETE FROM idempotency_keys;

ALTER TABLE idempotency_keys
    ADD COLUMN principal text NOT NULL CHECK (length(principal) BETWEEN 1 AND 64),
    DROP CONSTRAINT idempotency_keys_pkey,
    ADD PRIMARY KEY (principal, idempotency_key);
