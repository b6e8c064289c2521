#!/usr/bin/env bash
# Order intake benchmark: POST /orders against pgbench running the same two-row transaction (the order and its
# outbox row) on the same database, in the same run, on this machine. Prints figures; asserts nothing.
#
#   bench/intake.sh                 # 15 s per step
#   DURATION=30 bench/intake.sh
#
# It starts its own private pipeline (./orderly up with a throwaway state directory) and stops it afterwards.
# Backpressure is off for the run: no relay drains the outbox here, so the backlog only grows.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-15}
CONCURRENCY=${CONCURRENCY:-"1 2 4 8 16 32 64"}
STATE=$(mktemp -d /tmp/orderly-bench.XXXXXX)
export ORDERLY_STATE_DIR=$STATE ORDERLY_API_BACKPRESSURE_ENABLED=false ORDERLY_LOG_FORMAT=
export ORDERLY_API_PORT=18080 ORDERLY_PG_PORT=15432 ORDERLY_AMQP_PORT=15672 ORDERLY_RABBIT_MGMT_PORT=25672

cleanup() { "$ROOT/orderly" down >/dev/null 2>&1 || true; rm -rf "$STATE"; }
trap cleanup EXIT

for tool in wrk hey; do
  command -v $tool >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq $tool >/dev/null; } ||
    { echo "install $tool (apt-get install $tool)" >&2; exit 1; }
done

"$ROOT/orderly" up >/dev/null
set -a; . "$STATE/env"; set +a
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
psql_() { PGPASSWORD=$ORDERLY_PG_SUPERUSER_PASSWORD "$PGBIN/psql" -h 127.0.0.1 -p "$ORDERLY_PG_PORT" -U postgres -d orderly -qtA "$@"; }
API=http://127.0.0.1:$ORDERLY_API_PORT

echo "# Orderly intake benchmark — $(date -u +%FT%TZ)"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); PostgreSQL $(psql_ -c 'SHOW server_version'); JDK $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1 || true)"
echo "# load generators run on the same machine as the database and the API; ${DURATION}s per step"

psql_ <<'SQL' >/dev/null
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.orders (LIKE orders.orders INCLUDING ALL);
CREATE TABLE bench.outbox (LIKE orders.outbox INCLUDING ALL);
CREATE TRIGGER outbox_notify AFTER INSERT ON bench.outbox FOR EACH STATEMENT EXECUTE FUNCTION orders.outbox_notify();
SQL

echo
echo "## pgbench: the two-row transaction, 8 clients"
PGPASSWORD=$ORDERLY_PG_SUPERUSER_PASSWORD "$PGBIN/pgbench" -h 127.0.0.1 -p "$ORDERLY_PG_PORT" -U postgres -n -c 8 -j 2 \
  -T "$DURATION" -f "$ROOT/bench/pgbench-order.sql" orderly 2>/dev/null | tee "$STATE/pgbench.txt" | grep -E "^(tps|latency average)"
PG_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$STATE/pgbench.txt" | head -n 1)

echo
echo "## POST /orders, closed loop (wrk, 2 threads), rising concurrency"
wrk -t2 -c8 -d5s -s "$ROOT/bench/order.lua" "$API" >/dev/null 2>&1 # warm-up: JIT, pools
printf '%-12s %10s %10s %10s %10s %8s\n' connections "req/s" "p50 ms" "p90 ms" "p99 ms" "non-2xx"
BEST=0
for c in $CONCURRENCY; do
  threads=$(( c < 2 ? 1 : 2 ))
  line=$(wrk -t$threads -c"$c" -d"${DURATION}s" -s "$ROOT/bench/order.lua" "$API" 2>&1 | grep '^RESULT')
  eval "$(echo "$line" | sed 's/^RESULT //')"
  printf '%-12s %10s %10s %10s %10s %8s\n' "$c" "$rps" "$p50_ms" "$p90_ms" "$p99_ms" "$non2xx"
  BEST=$(awk -v a="$BEST" -v b="$rps" 'BEGIN {print (b > a) ? b : a}')
done

RATE=$(awk -v t="$PG_TPS" 'BEGIN {printf "%d", t / 2}')
echo
echo "## POST /orders at a fixed rate: half of pgbench's 8-client rate = $RATE req/s (hey, 16 workers)"
printf '%s' '{"customer_id":"bench-fixed","currency":"EUR","lines":[{"sku":"SKU-1","quantity":2,"unit_price_cents":1250},{"sku":"SKU-2","quantity":1,"unit_price_cents":99}]}' >"$STATE/body.json"
hey -z "${DURATION}s" -c 16 -q $(( (RATE + 15) / 16 )) -m POST -T application/json -D "$STATE/body.json" "$API/orders" \
  >"$STATE/hey.txt" 2>&1
grep -E "Requests/sec|  (50|90|99)% in" "$STATE/hey.txt" | sed 's/^ */  /'
grep -E "^\s*\[[0-9]+\]" "$STATE/hey.txt" | sed 's/^ */  status /'

echo
echo "## summary"
awk -v best="$BEST" -v pg="$PG_TPS" 'BEGIN {
  printf "  pgbench 8 clients: %.0f tx/s; best POST /orders: %.0f req/s = %.0f%% of pgbench (target >= 50%%)\n", pg, best, 100 * best / pg }'
P99=$(sed -n 's/^ *99% in \([0-9.]*\) secs.*/\1/p' "$STATE/hey.txt")
awk -v p="$P99" -v r="$RATE" 'BEGIN { printf "  p99 at %d req/s: %.1f ms (target <= 25 ms)\n", r, p * 1000 }'
echo "  orders stored: $(psql_ -c 'SELECT count(*) FROM orders.orders'), outbox rows: $(psql_ -c 'SELECT count(*) FROM orders.outbox')"
