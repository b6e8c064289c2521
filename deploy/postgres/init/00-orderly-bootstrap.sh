#!/usr/bin/env bash
# docker compose: runs deploy/postgres/bootstrap.sql once, when the postgres container initialises its data
# directory, with the services' passwords taken from the environment (.env).
set -euo pipefail
for variable in ORDERLY_POSTGRES_API_PASSWORD ORDERLY_POSTGRES_ORDER_WORKER_PASSWORD ORDERLY_POSTGRES_PAYMENTS_PASSWORD \
                ORDERLY_POSTGRES_SHIPPING_PASSWORD ORDERLY_POSTGRES_RELAY_PASSWORD; do
  [[ -n ${!variable:-} ]] || { echo "orderly bootstrap: $variable is not set (see .env.example)" >&2; exit 1; }
done
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v api_password="$ORDERLY_POSTGRES_API_PASSWORD" \
  -v order_worker_password="$ORDERLY_POSTGRES_ORDER_WORKER_PASSWORD" \
  -v payments_password="$ORDERLY_POSTGRES_PAYMENTS_PASSWORD" \
  -v shipping_password="$ORDERLY_POSTGRES_SHIPPING_PASSWORD" \
  -v relay_password="$ORDERLY_POSTGRES_RELAY_PASSWORD" \
  -f /orderly/bootstrap.sql
