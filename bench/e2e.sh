#!/usr/bin/env bash
# End-to-end benchmark: orders POSTed at fixed arrival rates through the whole pipeline (order-api → outbox → relay →
# order-worker → payment-worker → shipping-worker → order-worker), then a search for the highest rate the pipeline
# sustains. Per step: accepted/s, completed/s, created→final latency p50/p95/p99, each process's CPU and RSS. The same
# invocation measures the ceilings of the two parts everything rests on — pgbench (the intake transaction) and
# RabbitMQ PerfTest (quorum queue, persistent, confirms) — and names the bottleneck: the busiest process, and the stage
# where work piled up (work queues and outboxes sampled every 2 s). Prints figures; asserts nothing.
#
#   bench/e2e.sh                                       # rates 50 100 200, 30 s each, then the search
#   DURATION=60 RATES="100 300" SEARCH="300 400 500" bench/e2e.sh
#   PG_STATEMENTS=1 bench/e2e.sh                       # also print PostgreSQL's costliest statements (pg_stat_statements)
#   SMOKE=1 bench/e2e.sh                               # the whole path in about two minutes; figures meaningless
#
# It starts its own pipeline (./orderly up with a throwaway state directory and free ports) and stops it afterwards.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The JDK and the packages, found or installed the way ./orderly does it.
# shellcheck source=../tools/machine.sh
. "$ROOT/tools/machine.sh"
ensure_jdk
ensure_packages
if [[ -n ${SMOKE:-} ]]; then
  : "${DURATION:=3}" "${WARMUP:=2}" "${RATES:=10}" "${SEARCH:=20}" "${SETTLE:=30}" "${CEILING_SECONDS:=2}" "${IDLE_SECONDS:=2}" "${WARMUP_MAX:=0}"
fi
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-45}
RATES=${RATES:-"50 100 200"}
SEARCH=${SEARCH:-"250 300 350 400 500"}
SETTLE=${SETTLE:-60} # longest wait, after a step, for its orders to reach a final state
CEILING_SECONDS=${CEILING_SECONDS:-15}
IDLE_SECONDS=${IDLE_SECONDS:-10}
WARMUP_MAX=${WARMUP_MAX:-360} # the warm-up's bound while waiting for the JIT to settle
STATE=$(mktemp -d /tmp/orderly-e2e-bench.XXXXXX)
export ORDERLY_STATE_DIR=$STATE LOGGING_STRUCTURED_FORMAT_CONSOLE=
# Measure the services with the full JIT (./orderly up's default stops at C1 to start faster on 2 cores).
# A smoke run keeps ./orderly up's C1-only default: it starts faster, and its figures mean nothing anyway.
[[ -n ${SMOKE:-} ]] || export ORDERLY_JAVA_OPTS=${ORDERLY_JAVA_OPTS:-"-XX:+UseSerialGC -Xss512k -XX:MaxRAM=512m -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=10000"}
# Hundreds of orders a second through one client (shop): order-api's rate limit per caller (20 at once, 10 a second by
# default) would refuse most. A limit the benchmark never reaches, so it measures the limiter's cost and not its refusals.
export ORDERLY_API_RATE_LIMIT_CAPACITY=${ORDERLY_API_RATE_LIMIT_CAPACITY:-1000000}
export ORDERLY_API_RATE_LIMIT_REFILL=${ORDERLY_API_RATE_LIMIT_REFILL:-1000000}
# The run's access tokens (taken once, below) must outlive it: the auth-server's default is 10 minutes.
export ORDERLY_AUTH_TOKEN_TTL=${ORDERLY_AUTH_TOKEN_TTL:-12h}
if [[ -n ${PG_STATEMENTS:-} ]]; then
  export ORDERLY_POSTGRES_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
fi

cleanup() {
  "$ROOT/orderly" down >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap cleanup EXIT

ensure_commands wrk curl python3

# Every port a free one (./orderly picks them), so a pipeline someone else runs on this machine is never disturbed.
export ORDERLY_PORTS=free
# The pipeline's five services (and the auth-server, which always starts), not the operator's console: an idle page
# server would only take memory, and the figures are the pipeline's, comparable with runs before the console.
export ORDERLY_SERVICES=${ORDERLY_SERVICES:-"order-api order-worker payment-worker shipping-worker outbox-relay"}
echo "## starting the pipeline (./orderly up)" >&2
"$ROOT/orderly" up >"$STATE/up.log" 2>&1 || { tail -n 30 "$STATE/up.log" >&2; exit 1; }
set -a; . "$STATE/env"; set +a
API=http://127.0.0.1:$ORDERLY_ORDER_API_PORT
# The shop places the orders (bench/order.lua); the inventory admin prices the SKUs.
ORDERLY_BENCH_TOKEN=$("$ROOT/orderly" token shop)
export ORDERLY_BENCH_TOKEN
ADMIN_TOKEN=$("$ROOT/orderly" token inventory-admin)
JAVA=$(readlink -f "/proc/$(cat "$STATE/run/order-api.pid")/exe")
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
psql_() { PGPASSWORD=$ORDERLY_POSTGRES_PASSWORD "$PGBIN/psql" -h 127.0.0.1 -p "$ORDERLY_POSTGRES_PORT" -U postgres -d orderly -qtA "$@"; }
SERVICES="order-api outbox-relay order-worker payment-worker shipping-worker"

# Processes whose CPU and memory are reported: the five services, PostgreSQL (all backends: the postmaster's
# children), RabbitMQ (the Erlang VM).
pids_of() {
  case $1 in
    postgres) echo "$(cat "$STATE/run/postgres.pid"),$(pgrep -d, -P "$(cat "$STATE/run/postgres.pid")")" ;;
    rabbitmq) pgrep -d, -s "$(cat "$STATE/run/rabbitmq.pid")" ;; # started with setsid: its session
    *) cat "$STATE/run/$1.pid" ;;
  esac
}
cpu_ticks() { # comma-separated pids (or /proc/<pid>/task/<tid> paths) -> utime+stime ticks; a vanished one counts 0
  local total=0 pid ticks
  for pid in ${1//,/ }; do
    [[ $pid == /* ]] || pid=/proc/$pid
    # The fields after the command name, which may hold spaces ("C2 CompilerThre"): utime and stime are the 12th and
    # 13th of them.
    ticks=$(sed 's/^.*) //' "$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || ticks=0
    total=$((total + ${ticks:-0}))
  done
  echo $total
}
rss_mb() { # comma-separated pids -> summed RSS in MB
  local total=0 pid
  for pid in ${1//,/ }; do
    [[ -r /proc/$pid/status ]] && total=$((total + $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")))
  done
  echo $((total / 1024))
}
PARTS="$SERVICES postgres rabbitmq"
declare -A TICKS PG_TICKS
snapshot() {
  local part pid
  for part in $PARTS; do TICKS[$part]=$(cpu_ticks "$(pids_of "$part")"); done
  PG_TICKS=()
  for pid in $(pgrep -P "$(cat "$STATE/run/postgres.pid")" || true); do PG_TICKS[$pid]=$(cpu_ticks "$pid"); done
}
# PostgreSQL's CPU since the snapshot by who used it: a backend by its role (one role per service), a background
# process by its kind (autovacuum, walwriter, checkpointer, ...), from each process's title.
postgres_by_role() { # seconds -> one line
  local seconds=$1 pid title who hz ticks
  declare -A used=()
  hz=$(getconf CLK_TCK)
  for pid in $(pgrep -P "$(cat "$STATE/run/postgres.pid")" || true); do
    title=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    [[ -n $title ]] || continue # exited meanwhile
    title=${title#postgres: }
    [[ ${title%% *} == *: ]] && title=${title#* } # "postgres: <cluster name>: ..." where one is set
    # A backend is "<role> <database> <address> <state>", a background process "<kind> ...".
    case $title in
      autovacuum*) who=autovacuum ;;
      *) who=${title%% *} ;;
    esac
    ticks=$(( $(cpu_ticks "$pid") - ${PG_TICKS[$pid]:-0} ))
    if (( ticks > 0 )); then used[$who]=$(( ${used[$who]:-0} + ticks )); fi
  done
  for who in "${!used[@]}"; do
    if (( used[$who] * 100 / (hz * seconds) > 0 )); then
      printf '%s %s\n' $(( used[$who] * 100 / (hz * seconds) )) "$who"
    fi
  done | sort -rn | awk '{ printf "%s%s %s%%", (NR > 1 ? ", " : ""), $2, $1 } END { print "" }'
}
usage_line() { # seconds -> "part cpu% rss" for every part; sets BUSIEST
  local seconds=$1 part now cpu best=0 hz
  hz=$(getconf CLK_TCK)
  BUSIEST=
  for part in $PARTS; do
    now=$(cpu_ticks "$(pids_of "$part")")
    cpu=$(( (now - TICKS[$part]) * 100 / (hz * seconds) ))
    printf '    %-16s CPU %4s%% of one core, RSS %5s MB\n' "$part" "$cpu" "$(rss_mb "$(pids_of "$part")")"
    if (( cpu > best )); then best=$cpu BUSIEST=$part; fi
  done
}

echo "# Orderly end-to-end benchmark — $(date -u +%FT%TZ)"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); PostgreSQL $(psql_ -c 'SHOW server_version'); RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo '?'); $("$JAVA" -version 2>&1 | head -n 1)"
echo "# every process (load generator included) shares these cores; ${DURATION}s per step after ${WARMUP}s of warm-up"

# Plenty of stock, and a price, for the SKUs bench/order.lua orders (SKU-0 … SKU-49), so every order is accepted and
# can be reserved.
for i in $(seq 0 49); do
  curl -fsS -o /dev/null -X PUT "$API/inventory/SKU-$i" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $ADMIN_TOKEN" \
    -d '{"on_hand":100000000,"price_cents":1250,"currency":"EUR"}'
done

echo
echo "## ceilings, measured now on this machine"
psql_ <<'SQL' >/dev/null
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.orders (LIKE orders.orders INCLUDING ALL);
CREATE TABLE bench.outbox (LIKE orders.outbox INCLUDING ALL);
SQL
PGPASSWORD=$ORDERLY_POSTGRES_PASSWORD "$PGBIN/pgbench" -h 127.0.0.1 -p "$ORDERLY_POSTGRES_PORT" -U postgres -n -c 8 -j 2 \
  -T "$CEILING_SECONDS" -f "$ROOT/bench/pgbench-order.sql" orderly >"$STATE/pgbench.txt" 2>/dev/null
PG_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$STATE/pgbench.txt" | head -n 1)
psql_ -c 'SET client_min_messages = warning' -c 'DROP SCHEMA bench CASCADE' >/dev/null
printf '  pgbench, the intake transaction (order + outbox row), 8 clients: %.0f tx/s\n' "$PG_TPS"
# shellcheck source=perftest.sh
. "$ROOT/bench/perftest.sh"
perftest "$CEILING_SECONDS" "$STATE/perftest.txt" || exit 1
PERFTEST_RATE=$(sed -n 's/.*sending rate avg: \([0-9]*\) msg\/s.*/\1/p' "$STATE/perftest.txt" | tail -n 1)
printf '  RabbitMQ PerfTest, quorum queue, 1 KiB persistent, confirms: %s msg/s\n' "${PERFTEST_RATE:-?}"
curl -fsS -o /dev/null -u "orderly-admin:$ORDERLY_RABBITMQ_ADMIN_PASSWORD" -X DELETE \
  "http://127.0.0.1:$ORDERLY_RABBITMQ_MANAGEMENT_PORT/api/queues/orderly/bench.perftest" || true
echo "  (a shipped order is 1 intake transaction, 4 events published with confirms, 5 deliveries, 5 consumer transactions)"

# Offers `rate` orders/s for `seconds` with paced wrk (bench/order.lua): each of `rate` connections waits an
# exponential random time (mean 1 s) before each request, so together they arrive like independent clients at about
# `rate` per second as long as a request takes much less than a second. Sets ACCEPTED (2xx/s) and REFUSED (non-2xx).
offer() {
  local rate=$1 seconds=$2 line
  line=$(ORDERLY_BENCH_DELAY_MS=1000 wrk -t2 -c"$rate" -d"${seconds}s" --timeout 10s -s "$ROOT/bench/order.lua" "$API" 2>&1 |
    grep '^RESULT')
  eval "$(echo "$line" | sed 's/^RESULT //')"
  ACCEPTED=$(awk -v r="$requests" -v n="$non2xx" -v d="$duration_us" 'BEGIN {printf "%.1f", (r - n) / (d / 1e6)}')
  REFUSED=$non2xx
}

# Samples, every 2 s until killed, how much waits at each stage: the work queues' ready messages (management API) and
# each outbox's unpublished rows. Appends "stage count" lines to $1.
sample_backlogs() {
  local out=$1
  while true; do
    curl -fsS -u "orderly-admin:$ORDERLY_RABBITMQ_ADMIN_PASSWORD" \
      "http://127.0.0.1:$ORDERLY_RABBITMQ_MANAGEMENT_PORT/api/queues/orderly?columns=name,messages_ready" 2>/dev/null |
      python3 -c 'import json, sys
for q in json.load(sys.stdin):
    if q["name"].endswith(".work"): print(q["name"], q.get("messages_ready", 0))' >>"$out" 2>/dev/null || true
    psql_ -F ' ' -c "SELECT 'orders.outbox', count(*) FROM orders.outbox WHERE published_at IS NULL
      UNION ALL SELECT 'payments.outbox', count(*) FROM payments.outbox WHERE published_at IS NULL
      UNION ALL SELECT 'shipping.outbox', count(*) FROM shipping.outbox WHERE published_at IS NULL" >>"$out" 2>/dev/null || true
    sleep 2
  done
}

backlog_maxima() { # sampler output -> "max stage" per stage
  awk '{ if (!($1 in max) || $2 + 0 > max[$1] + 0) max[$1] = $2 + 0 } END { for (s in max) print max[s], s }' "$1"
}

# Orders created since `since` (a database timestamp) that are not yet in a final state.
open_orders() {
  psql_ -c "SELECT count(*) FROM orders.orders WHERE created_at >= '$1' AND status NOT IN ('SHIPPED','REJECTED','CANCELLED')"
}

# "transactions committed, WAL flushes" so far: pg_stat_database's xact_commit (the pipeline's database) and
# pg_stat_wal's wal_sync.
database_counters() {
  psql_ -F ' ' -c "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
    (SELECT wal_sync FROM pg_stat_wal)"
}

step() { # label rate -> one line of figures; sets SUSTAINED (1 if every order of the step finished in time)
  local label=$1 rate=$2 since until open deadline
  since=$(psql_ -c 'SELECT clock_timestamp()')
  echo "  ... $label: offering $rate orders/s for ${DURATION}s" >&2
  snapshot
  : >"$STATE/backlog.txt"
  sample_backlogs "$STATE/backlog.txt" &
  local sampler=$!
  local database_before database_after
  database_before=$(database_counters)
  offer "$rate" "$DURATION"
  database_after=$(database_counters)
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  until=$(psql_ -c 'SELECT clock_timestamp()')
  echo "  $label: offered $rate orders/s, accepted $ACCEPTED/s (non-2xx $REFUSED)"
  usage_line "$DURATION"
  echo "    postgres by role (% of one core): $(postgres_by_role "$DURATION")"
  # What each order cost PostgreSQL during the step: its transactions (every commit, read-only ones too, e.g. lease
  # checks) and its WAL flushes (a commit that writes waits for one; concurrent commits can share one).
  awk -v b="$database_before" -v a="$database_after" -v n="$ACCEPTED" -v d="$DURATION" 'BEGIN {
    split(b, x, " "); split(a, y, " "); orders = n * d; if (orders < 1) orders = 1
    printf "    per order accepted during the step: %.1f transactions, %.1f WAL flushes (%.0f flushes/s)\n",
      (y[1] - x[1]) / orders, (y[2] - x[2]) / orders, (y[2] - x[2]) / d }'
  # The stage where work piled up: the largest backlog seen during the step (a queue's ready messages or an outbox's
  # unpublished rows).
  BACKLOG=$(backlog_maxima "$STATE/backlog.txt" | sort -rn | awk 'NR == 1 { printf "%s (%s waiting at most)", $2, $1 }')
  echo "    largest backlog during the step: ${BACKLOG:-none}; every stage's most:" \
    "$(backlog_maxima "$STATE/backlog.txt" | sort -k2 | awk '{ printf "%s %s, ", $2, $1 }' | sed 's/, $//')"
  # Let the step's orders finish (bounded), then read their created→final latencies from the timeline.
  deadline=$((SECONDS + SETTLE))
  open=$(open_orders "$since")
  while (( open > 0 && SECONDS < deadline )); do sleep 1; open=$(open_orders "$since"); done
  psql_ -F ' ' <<SQL
WITH step AS (
  SELECT o.id, o.status, o.created_at,
         (SELECT max(t.recorded_at) FROM orders.order_timeline t
          WHERE t.order_id = o.id AND t.status IN ('SHIPPED','REJECTED','CANCELLED')) AS final_at
  FROM orders.orders o
  WHERE o.created_at >= '$since' AND o.created_at < '$until'
), done AS (
  SELECT *, extract(epoch FROM final_at - created_at) * 1000 AS ms FROM step WHERE final_at IS NOT NULL
)
SELECT format('    orders %s, final %s (shipped %s), still open %s; completed/s during the step %s',
         (SELECT count(*) FROM step), (SELECT count(*) FROM done),
         (SELECT count(*) FROM done WHERE status = 'SHIPPED'), (SELECT count(*) FROM step) - (SELECT count(*) FROM done),
         round((SELECT count(*) FROM done WHERE final_at < '$until')::numeric / $DURATION, 1)),
       format(E'\n    created→final latency: p50 %s ms, p95 %s ms, p99 %s ms, max %s ms',
         round(percentile_cont(0.50) WITHIN GROUP (ORDER BY ms)::numeric, 1),
         round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1),
         round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
         round(max(ms)::numeric, 1))
FROM done;
SQL
  # Sustained: nothing refused, every order final soon after the step, and orders completed during the step about as
  # fast as they were accepted (a backlog that only drains after the step is not a sustained rate).
  local completed
  completed=$(psql_ -c "SELECT round(count(*)::numeric / $DURATION, 1) FROM orders.orders o WHERE o.created_at >= '$since'
    AND EXISTS (SELECT 1 FROM orders.order_timeline t WHERE t.order_id = o.id
                AND t.status IN ('SHIPPED','REJECTED','CANCELLED') AND t.recorded_at < '$until')")
  SUSTAINED=$(awk -v o="$open" -v r="$REFUSED" -v c="$completed" -v a="$ACCEPTED" \
    'BEGIN { print (o == 0 && r == 0 && c >= 0.9 * a) ? 1 : 0 }')
  (( SUSTAINED == 1 )) || echo "    NOT sustained: completed $completed/s of $ACCEPTED/s accepted during the step, $open still open ${SETTLE}s after it, $REFUSED refused"
}

# CPU seconds the services' JIT compiler threads (HotSpot's "C1/C2 CompilerThread<n>") have used so far, summed over
# the five JVMs, from /proc (a thread's utime + stime).
jit_seconds() {
  local part task ticks=0
  for part in $SERVICES; do
    for task in /proc/"$(cat "$STATE/run/$part.pid")"/task/*; do
      if [[ $(cat "$task/comm" 2>/dev/null) == C[12]\ CompilerThre* ]]; then
        ticks=$((ticks + $(cpu_ticks "$task")))
      fi
    done
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'
}

echo
echo "## warm-up: ${WARMUP}s at 100 orders/s, then 30 s more at a time until the JIT has settled (not measured)"
# The JIT keeps compiling for minutes on 2 cores (C2 took a quarter of each JVM's CPU in a step measured after 60 s
# of warm-up): measured before it settles, a step's CPU per order is partly compilation. Settled: the compilers
# together spent under 5 % of one core over the last 30 s; the warm-up ends after about WARMUP_MAX seconds anyway. A
# share below 0 (a compiler thread ended, taking its count with it) is not taken for settled.
offer 100 "$WARMUP"
WARMED=$WARMUP JIT_BEFORE=$(jit_seconds)
while (( WARMED < WARMUP_MAX )); do
  offer 100 30
  WARMED=$((WARMED + 30)) JIT_NOW=$(jit_seconds)
  JIT_SHARE=$(awk -v a="$JIT_BEFORE" -v b="$JIT_NOW" 'BEGIN { printf "%.0f", (b - a) * 100 / 30 }')
  echo "  after ${WARMED}s: the JIT compilers used ${JIT_SHARE} % of one core over the last 30 s (${JIT_NOW} s in all)"
  JIT_BEFORE=$JIT_NOW
  if (( JIT_SHARE >= 0 && JIT_SHARE < 5 )); then break; fi
done
deadline=$((SECONDS + SETTLE))
while (( $(open_orders '-infinity') > 0 && SECONDS < deadline )); do sleep 1; done

# The fixed background: what every process uses with no order in flight (the relay's polls and lease checks, health
# checks, the broker's own timers, the JIT finishing). At a rate r it is background / r of each order's CPU (the steps'
# CPU over their orders, as docs/benchmarks.md gives it).
echo
echo "## idle: ${IDLE_SECONDS}s with no orders (the fixed background)"
snapshot
sleep "$IDLE_SECONDS" # a measurement window, not a wait for a condition
IDLE_USAGE=$(usage_line "$IDLE_SECONDS")
echo "$IDLE_USAGE"
IDLE_TOTAL=$(echo "$IDLE_USAGE" | awk '{ sum += $3 } END { print sum + 0 }')
echo "    in all: $IDLE_TOTAL % of one core, i.e. $(awk -v t="$IDLE_TOTAL" 'BEGIN { printf "%.1f ms at 50, %.1f at 100, %.1f at 200 orders/s", t * 10 / 50, t * 10 / 100, t * 10 / 200 }') of each order's CPU"

echo
echo "## fixed arrival rates"
if [[ -n ${PG_STATEMENTS:-} ]]; then
  psql_ -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' -c 'SELECT pg_stat_statements_reset()' >/dev/null
  STATEMENTS_SINCE=$(psql_ -c 'SELECT clock_timestamp()')
fi
for rate in $RATES; do
  step "rate $rate" "$rate"
done

echo
echo "## search for the highest sustained rate (every order final within ${SETTLE}s of its step, nothing refused)"
BEST=0
BOTTLENECK=
for rate in $SEARCH; do
  step "rate $rate" "$rate"
  if (( SUSTAINED == 1 )); then BEST=$rate; BOTTLENECK=$BUSIEST; else BOTTLENECK=$BUSIEST; PILED_UP=$BACKLOG; break; fi
done

echo
echo "## summary"
echo "  highest sustained rate tried: $BEST orders/s (target >= 300); busiest process at the limit: ${BOTTLENECK:-?}"
echo "  where work piled up at the first unsustained rate: ${PILED_UP:-none (every rate tried was sustained)}"
printf '  ceilings: pgbench %.0f tx/s, PerfTest %s msg/s\n' "$PG_TPS" "${PERFTEST_RATE:-?}"
echo "  per-service RSS now:"
for part in $SERVICES; do printf '    %-16s %5s MB (target < 300)\n' "$part" "$(rss_mb "$(pids_of "$part")")"; done
echo "  WARN/ERROR lines in the service logs: $(cat "$STATE"/logs/*.log 2>/dev/null | grep -c ' WARN \| ERROR ' || true); the most frequent:"
for log in "$STATE"/logs/*.log; do
  grep -h ' WARN \| ERROR ' "$log" 2>/dev/null | sed -E 's/^[^ ]+ +//; s/[0-9a-f]{8}-[0-9a-f-]{27}/<uuid>/g; s/[0-9]+/N/g' | cut -c1-160 |
    sort | uniq -c | sort -rn | head -n 3 | sed "s|^|    $(basename "$log" .log): |" || true
done
if [[ -n ${PG_STATEMENTS:-} ]]; then
  echo "  PostgreSQL's costliest statements since the fixed rates began (execution time; calls per order created):"
  psql_ -F ' | ' <<SQL | sed 's/^/    /'
WITH n AS (SELECT greatest(count(*), 1) AS orders FROM orders.orders WHERE created_at >= '$STATEMENTS_SINCE')
SELECT round(s.total_exec_time)::text || ' ms', round(s.calls::numeric / n.orders, 2)::text || '/order',
       round(s.mean_exec_time::numeric, 3)::text || ' ms each', left(regexp_replace(s.query, '\s+', ' ', 'g'), 110)
FROM pg_stat_statements s, n ORDER BY s.total_exec_time DESC LIMIT 25;
SQL
  psql_ <<SQL | sed 's/^/  /'
WITH n AS (SELECT greatest(count(*), 1) AS orders FROM orders.orders WHERE created_at >= '$STATEMENTS_SINCE')
SELECT format('every statement together: %s per order created (%s calls), %s ms of execution per order',
         round(sum(s.calls)::numeric / min(n.orders), 1), sum(s.calls),
         round((sum(s.total_exec_time) / min(n.orders))::numeric, 2))
FROM pg_stat_statements s, n;
SQL
fi
if [[ -n ${KEEP_LOGS:-} ]]; then mkdir -p "$KEEP_LOGS" && cp -r "$STATE/logs/." "$KEEP_LOGS/" && echo "  logs kept in $KEEP_LOGS"; fi
