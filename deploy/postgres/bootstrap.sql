-- Orderly database bootstrap: one login role per service, one schema per domain, and the grants between them.
--
-- Run once per database as a superuser, before any service starts; running it again is harmless (it only
-- creates what is missing and resets the passwords). Each service's Flyway migrations then own the tables
-- of its schema. Passwords are psql variables, never stored here:
--
--   psql -v ON_ERROR_STOP=1 -d orderly \
--        -v api_password=... -v order_worker_password=... -v payments_password=... \
--        -v shipping_password=... -v relay_password=... -f bootstrap.sql
--
-- Who may do what (docs/design.md#data-ownership):
--   orderly_api           owns schema orders (order-api runs its migrations)
--   orderly_order_worker  reads and writes the tables of orders, creates nothing
--   orderly_payments      owns schema payments (payment-worker)
--   orderly_shipping      owns schema shipping (shipping-worker)
--   orderly_relay         reads and updates the outbox tables and nothing else (granted per table by each
--                         schema's migrations, as the tables do not exist yet here)

\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', r)
FROM unnest(ARRAY['orderly_api', 'orderly_order_worker', 'orderly_payments', 'orderly_shipping', 'orderly_relay']) AS r
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
\gexec

ALTER ROLE orderly_api PASSWORD :'api_password';
ALTER ROLE orderly_order_worker PASSWORD :'order_worker_password';
ALTER ROLE orderly_payments PASSWORD :'payments_password';
ALTER ROLE orderly_shipping PASSWORD :'shipping_password';
ALTER ROLE orderly_relay PASSWORD :'relay_password';

-- Nobody but the named roles connects to this database, and nobody creates objects outside its own schema.
-- (Other databases of a shared cluster, such as 'postgres', keep the cluster's own policy.)
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database())
\gexec
-- CONNECT only: no role needs temporary tables, so none may create them.
SELECT format('GRANT CONNECT ON DATABASE %I TO orderly_api, orderly_order_worker, orderly_payments, '
                  'orderly_shipping, orderly_relay', current_database())
\gexec
SELECT format('REVOKE TEMPORARY ON DATABASE %I FROM orderly_api, orderly_order_worker, orderly_payments, '
                  'orderly_shipping, orderly_relay', current_database())
\gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA IF NOT EXISTS orders AUTHORIZATION orderly_api;
CREATE SCHEMA IF NOT EXISTS payments AUTHORIZATION orderly_payments;
CREATE SCHEMA IF NOT EXISTS shipping AUTHORIZATION orderly_shipping;

-- order-api and order-worker are one domain: the worker uses the tables order-api's migrations create.
GRANT USAGE ON SCHEMA orders TO orderly_order_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE orderly_api IN SCHEMA orders
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO orderly_order_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE orderly_api IN SCHEMA orders
    GRANT USAGE, SELECT ON SEQUENCES TO orderly_order_worker;

-- The relay sees the schemas; its table rights come from each schema's outbox migration.
GRANT USAGE ON SCHEMA orders, payments, shipping TO orderly_relay;

ALTER ROLE orderly_api SET search_path = orders;
ALTER ROLE orderly_order_worker SET search_path = orders;
ALTER ROLE orderly_payments SET search_path = payments;
ALTER ROLE orderly_shipping SET search_path = shipping;
ALTER ROLE orderly_relay SET search_path = '';
