-- The orders not yet in a final state, by age: what order-api's stuck-orders gauge reads every 30 s. Partial, so it
-- holds only the few orders under way, however many have been completed.
CREATE INDEX orders_open_by_age ON orders (created_at) WHERE status IN ('PENDING', 'RESERVED', 'PAID');
