-- The catalogue: each SKU's price, set with PUT /inventory/{sku}. POST /orders prices every line from here, in its own
-- transaction, and stores that price on the order (order_lines.unit_price_cents) and in order.created: what payment
-- charges is the server's price at acceptance, never the client's. A SKU without a price is not for sale (POST /orders
-- answers 422 unknown-sku); price and currency are set together or not at all. Nullable columns without a default:
-- adding them rewrites nothing, and order-worker's statements on this table (which name their columns) are unchanged.
ALTER TABLE inventory
    ADD COLUMN price_cents bigint  CHECK (price_cents BETWEEN 1 AND 1000000000),
    ADD COLUMN currency    char(3),
    ADD CONSTRAINT inventory_price_and_currency_together CHECK ((price_cents IS NULL) = (currency IS NULL));
