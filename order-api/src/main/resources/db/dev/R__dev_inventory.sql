-- Development stock, applied only with the dev profile (application-dev.yaml adds this location). Inserts missing SKUs
-- and never resets stock that exists, so re-running it (Flyway re-runs a repeatable migration when this file changes)
-- leaves a running pipeline's reservations intact.
INSERT INTO inventory (sku, on_hand)
VALUES ('SKU-1', 1000), ('SKU-2', 1000), ('SKU-3', 500), ('SKU-9', 100), ('SKU-SCARCE', 3)
ON CONFLICT (sku) DO NOTHING;
