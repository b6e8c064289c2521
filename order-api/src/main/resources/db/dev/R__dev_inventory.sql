-- Development stock and prices, applied only with the dev profile (application-dev.yaml adds this location). Inserts
-- missing SKUs, and gives a price to a seeded SKU that has none (one stocked before prices existed); it never resets
-- stock or a price that exists, so re-running it (Flyway re-runs a repeatable migration when this file changes) leaves
-- a running pipeline's reservations, and prices set with PUT /inventory/{sku}, intact. Repeatable migrations run after
-- the versioned ones, so V6's price columns are there.
INSERT INTO inventory (sku, on_hand, price_cents, currency)
VALUES ('SKU-1', 1000, 1250, 'EUR'),
       ('SKU-2', 1000, 99, 'EUR'),
       ('SKU-3', 500, 4999, 'EUR'),
       ('SKU-9', 100, 1000, 'EUR'),
       ('SKU-SCARCE', 3, 2500, 'EUR')
ON CONFLICT (sku) DO UPDATE SET price_cents = EXCLUDED.price_cents, currency = EXCLUDED.currency
    WHERE inventory.price_cents IS NULL;
