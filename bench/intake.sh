#!/usr/bin/env bash
# Order intake benchmark: POST /orders against pgbench running the same two-row transaction (the order and its
# outbox row) on the same database, in the same run, on this machine. Prints figures; asserts nothing.
#
#   bench/intake.sh                 # 15 s per step
#   DURATION=30 bench/intake.sh
#   SMOKE=1 bench/intake.sh         # the whole path in about a minute; figures meaningless
#
# It starts its own private pipeline (./orderly up with a throwaway state directory) and stops it afterwards.
# Backpressure is off for the run: no relay drains the outbox here (ORDERLY_SERVICES=order-api: ./orderly up starts
# only order-api), so the backlog only grows. The service runs with C2 (ORDERLY_JAVA_OPTS), as in production.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The JDK and the packages, found or installed the way ./orderly does it.
# shellcheck source=../tools/machine.sh
. "$ROOT/tools/machine.sh"
ensure_jdk
ensure_packages
if [[ -n ${SMOKE:-} ]]; then
  : "${DURATION:=2}" "${WARMUP:=2}" "${CONCURRENCY:=1 4}"
fi
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-60} # the JIT compiles for about a minute on 2 cores: measure the warm service
CONCURRENCY=${CONCURRENCY:-"1 2 4 8 16 32 64"}
# ORDERLY_BENCH_STATE_DIR: the state directory of a pipeline to run on, which is left running (bench/smoke.sh runs this
# script and bench/relay.sh on one); ./orderly up starts it there if it does not run yet, with this script's settings.
STATE=${ORDERLY_BENCH_STATE_DIR:-$(mktemp -d /tmp/orderly-bench.XXXXXX)}
export ORDERLY_STATE_DIR=$STATE ORDERLY_API_BACKPRESSURE_ENABLED=false LOGGING_STRUCTURED_FORMAT_CONSOLE= ORDERLY_SERVICES=order-api
# A smoke run keeps ./orderly up's C1-only default: it starts faster, and its figures mean nothing anyway.
[[ -n ${SMOKE:-} ]] || export ORDERLY_JAVA_OPTS=${ORDERLY_JAVA_OPTS:-"-XX:+UseSerialGC -Xss512k -XX:MaxRAM=512m"}
# Hundreds of orders a second through one client (shop): order-api's rate limit per caller (20 at once, 10 a second by
# default) would refuse most. A limit the benchmark never reaches, so it measures the limiter's cost and not its refusals.
export ORDERLY_API_RATE_LIMIT_CAPACITY=${ORDERLY_API_RATE_LIMIT_CAPACITY:-1000000}
export ORDERLY_API_RATE_LIMIT_REFILL=${ORDERLY_API_RATE_LIMIT_REFILL:-1000000}
# The run's access tokens (taken once, below) must outlive it: the auth-server's default is 10 minutes.
export ORDERLY_AUTH_TOKEN_TTL=${ORDERLY_AUTH_TOKEN_TTL:-12h}

cleanup() { [[ -n ${ORDERLY_BENCH_STATE_DIR:-} ]] || { "$ROOT/orderly" down >/dev/null 2>&1 || true; rm -rf "$STATE"; }; }
trap cleanup EXIT

ensure_commands wrk hey curl

# Every port a free one (./orderly picks them), so a pipeline someone else runs on this machine is never disturbed.
export ORDERLY_PORTS=free
"$ROOT/orderly" up >/dev/null
set -a; . "$STATE/env"; set +a
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
psql_() { PGPASSWORD=$ORDERLY_POSTGRES_PASSWORD "$PGBIN/psql" -h 127.0.0.1 -p "$ORDERLY_POSTGRES_PORT" -U postgres -d orderly -qtA "$@"; }
API=http://127.0.0.1:$ORDERLY_ORDER_API_PORT
# The shop places the orders (bench/order.lua, hey); the inventory admin prices the SKUs.
ORDERLY_BENCH_TOKEN=$("$ROOT/orderly" token shop)
export ORDERLY_BENCH_TOKEN
ADMIN_TOKEN=$("$ROOT/orderly" token inventory-admin)

echo "# Orderly intake benchmark — $(date -u +%FT%TZ)"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); PostgreSQL $(psql_ -c 'SHOW server_version'); JDK $("$(readlink -f "/proc/$(cat "$STATE/run/order-api.pid")/exe")" -version 2>&1 | head -n 1)"
echo "# load generators run on the same machine as the database and the API; ${DURATION}s per step"

psql_ <<'SQL' >/dev/null
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.orders (LIKE orders.orders INCLUDING ALL);
CREATE TABLE bench.outbox (LIKE orders.outbox INCLUDING ALL);
SQL

echo
echo "## pgbench: the two-row transaction, 8 clients"
PGPASSWORD=$ORDERLY_POSTGRES_PASSWORD "$PGBIN/pgbench" -h 127.0.0.1 -p "$ORDERLY_POSTGRES_PORT" -U postgres -n -c 8 -j 2 \
  -T "$DURATION" -f "$ROOT/bench/pgbench-order.sql" orderly 2>/dev/null | tee "$STATE/pgbench.txt" | grep -E "^(tps|latency average)"
PG_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$STATE/pgbench.txt" | head -n 1)

API_PID=$(cat "$STATE/run/order-api.pid")
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$API_PID/stat"; }

# A price for the SKUs bench/order.lua orders (SKU-0 … SKU-49): order-api refuses a SKU that has none with 422, which
# costs less than an order and would flatter the figures. No worker runs here, so the stock is never reserved.
for i in $(seq 0 49); do
  curl -fsS -o /dev/null -X PUT "$API/inventory/SKU-$i" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $ADMIN_TOKEN" \
    -d '{"on_hand":100000000,"price_cents":1250,"currency":"EUR"}'
done

echo
echo "## warm-up: ${WARMUP}s of POST /orders at 8 connections (not measured)"
wrk -t2 -c8 -d"${WARMUP}s" -s "$ROOT/bench/order.lua" "$API" >/dev/null 2>&1

paced() { # label, rate: POST /orders offered at a fixed rate; sets PACED_P99
  local label=$1 rate=$2 connections
  # Each connection pauses a random time (mean 50 ms, exponential) before each request; with a few ms of latency per
  # request, C connections offer about C / 0.053 requests/s, arriving like independent clients rather than in bursts.
  connections=$(awk -v r="$rate" 'BEGIN {printf "%d", r * 0.053 + 0.5}')
  echo
  echo "## POST /orders at a fixed rate: $label = $rate req/s"
  echo "   (wrk, $connections connections each pausing a random 50 ms on average before every request)"
  local before after line
  before=$(cpu_seconds)
  line=$(ORDERLY_BENCH_DELAY_MS=50 wrk -t2 -c"$connections" -d"${DURATION}s" -s "$ROOT/bench/order.lua" "$API" 2>&1 | grep '^RESULT')
  after=$(cpu_seconds)
  eval "$(echo "$line" | sed 's/^RESULT //')"
  PACED_P99=$p99_ms
  printf '  achieved %s req/s: p50 %s ms, p90 %s ms, p99 %s ms, max %s ms, non-2xx %s; order-api CPU %s%% of one core\n' \
    "$rps" "$p50_ms" "$p90_ms" "$p99_ms" "$max_ms" "$non2xx" \
    "$(awk -v a="$after" -v b="$before" -v d="$DURATION" 'BEGIN { printf "%.0f", 100 * (a - b) / d }')"
}

QUARTER=$(awk -v t="$PG_TPS" 'BEGIN {printf "%d", t / 4}')
paced "a quarter of pgbench's 8-client rate" "$QUARTER"
QUARTER_P99=$PACED_P99
RATE=$(awk -v t="$PG_TPS" 'BEGIN {printf "%d", t / 2}')
paced "half of pgbench's 8-client rate" "$RATE"

echo "   the same rate offered by hey (32 workers, Go; heavier on the client side):"
printf '%s' '{"currency":"EUR","lines":[{"sku":"SKU-1","quantity":2},{"sku":"SKU-2","quantity":1}]}' >"$STATE/body.json"
hey -z "${DURATION}s" -c 32 -q $(( (RATE + 31) / 32 )) -m POST -T application/json -D "$STATE/body.json" \
  -H "Authorization: Bearer $ORDERLY_BENCH_TOKEN" \
  "$API/orders" >"$STATE/hey.txt" 2>&1
printf '  achieved %s req/s: p50 %s ms, p90 %s ms, p99 %s ms\n' \
  "$(sed -n 's/^ *Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$STATE/hey.txt")" \
  $(for q in 50 90 99; do sed -n "s/^ *$q% in \([0-9.]*\) secs.*/\1/p" "$STATE/hey.txt" | awk '{printf "%.2f ", $1 * 1000}'; done)

echo
echo "## POST /orders, closed loop (wrk, 2 threads), rising concurrency"
printf '%-12s %10s %10s %10s %10s %8s %10s\n' connections "req/s" "p50 ms" "p90 ms" "p99 ms" "non-2xx" "api cpu%"
BEST=0
for c in $CONCURRENCY; do
  threads=$(( c < 2 ? 1 : 2 ))
  before=$(cpu_seconds)
  line=$(wrk -t$threads -c"$c" -d"${DURATION}s" -s "$ROOT/bench/order.lua" "$API" 2>&1 | grep '^RESULT')
  after=$(cpu_seconds)
  eval "$(echo "$line" | sed 's/^RESULT //')"
  cpu=$(awk -v a="$after" -v b="$before" -v d="$DURATION" 'BEGIN { printf "%.0f", 100 * (a - b) / d }')
  printf '%-12s %10s %10s %10s %10s %8s %10s\n' "$c" "$rps" "$p50_ms" "$p90_ms" "$p99_ms" "$non2xx" "$cpu"
  BEST=$(awk -v a="$BEST" -v b="$rps" 'BEGIN {print (b > a) ? b : a}')
done

echo
echo "## summary"
awk -v best="$BEST" -v pg="$PG_TPS" 'BEGIN {
  printf "  pgbench 8 clients: %.0f tx/s; best POST /orders: %.0f req/s = %.0f%% of pgbench (target >= 50%%)\n", pg, best, 100 * best / pg }'
awk -v p="$PACED_P99" -v r="$RATE" 'BEGIN { printf "  p99 at %d req/s offered (paced wrk): %.1f ms (target <= 25 ms)\n", r, p }'
awk -v p="$QUARTER_P99" -v r="$QUARTER" 'BEGIN { printf "  p99 at %d req/s offered (paced wrk): %.1f ms\n", r, p }'
echo "  orders stored: $(psql_ -c 'SELECT count(*) FROM orders.orders'), outbox rows: $(psql_ -c 'SELECT count(*) FROM orders.outbox')"
