-- A customer's orders, newest first: what GET /orders?customer_id= reads (the operator's console looks orders up by
-- customer). Not CONCURRENTLY: Flyway holds a transaction of its own (its lock) while it migrates, which a concurrent
-- index build waits for, for ever. Building it blocks the intake's inserts for as long as it takes, so on a large
-- orders table create it beforehand, outside Flyway, with
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_by_customer ON orders.orders (customer_id, created_at DESC);
-- and this migration then finds it there.
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id, created_at DESC);
