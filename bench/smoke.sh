#!/usr/bin/env bash
# Runs every benchmark script in smoke mode (SMOKE=1: seconds per step, tiny drains, no search) from start to summary
# and fails if one exits non-zero or prints no "## summary" line. Part of ./orderly test, so a benchmark that no longer
# runs from a fresh clone is found by CI, not by the next person who wants a figure. The figures mean nothing here.
#
#   bench/smoke.sh                    # all four
#   bench/smoke.sh relay workers      # some
#   ORDERLY_SMOKE_JOBS=1 bench/smoke.sh
#
# Each script starts its own private servers on free ports in its own state directory, except intake and relay, which
# run one after the other on one pipeline (both start the same one: order-api alone), started by the first and stopped
# after the second. The jobs (e2e; intake then relay; workers) all run at once (ORDERLY_SMOKE_JOBS, 3) when the
# checkout's jars were just built (ORDERLY_BUILD=never, as in ./orderly test): a script spends much of its time waiting
# -- for a server to start or stop, a step to end -- so together they take little more than the longest alone (on the
# 2-core machine: 253 s for the three at once, bench/relay.sh reusing the build's classpath, where two at a time, and
# bench/relay.sh building, took 431 s in the same hour's CI run). Then no script rewrites a jar another one runs from
# (bench/relay.sh and bench/workers.sh package no runnable jar). Otherwise (the jars may be built on the way) one job at
# a time.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS=("$@")
(( ${#SCRIPTS[@]} )) || SCRIPTS=(e2e intake relay workers)
if [[ ${ORDERLY_BUILD:-auto} == never ]]; then JOBS=${ORDERLY_SMOKE_JOBS:-3}; else JOBS=${ORDERLY_SMOKE_JOBS:-1}; fi
# The commands the scripts install when they are missing, once before they start: two apt-gets at once would collide.
# shellcheck source=../tools/machine.sh
. "$ROOT/tools/machine.sh"
ensure_commands wrk hey curl python3
LOGS=${ORDERLY_SMOKE_LOGS:-$ROOT/target/bench-smoke}
mkdir -p "$LOGS"

# The jobs: each script alone, except intake and relay, which run one after the other on one pipeline (PostgreSQL,
# RabbitMQ, auth-server and order-api, backpressure off: what both start), stopped after both (ORDERLY_BENCH_STATE_DIR).
# bench/intake.sh first: it leaves orders in orders.outbox, which the relay, started afterwards, simply publishes too.
jobs=()
for name in "${SCRIPTS[@]}"; do
  case $name in
    relay) [[ " ${SCRIPTS[*]} " == *" intake "* ]] || jobs+=(relay) ;;
    intake) [[ " ${SCRIPTS[*]} " == *" relay "* ]] && jobs+=("intake relay") || jobs+=(intake) ;;
    *) jobs+=("$name") ;;
  esac
done

# The ports ./orderly up gives a pipeline (StateDirectory.PORTS). With ORDERLY_PORTS=free it picks them from the
# kernel's ephemeral range, and binds them only when each server starts: meanwhile another job's outgoing connections
# (wrk, JDBC, AMQP) or its own pick may take one, and a server fails to start. So each job asks for its own block
# below the ephemeral range, where nothing picks a port by itself (./orderly still steps aside from a busy one).
PORT_VARIABLES=(ORDERLY_POSTGRES_PORT ORDERLY_RABBITMQ_PORT ORDERLY_RABBITMQ_MANAGEMENT_PORT
  ORDERLY_RABBITMQ_PROMETHEUS_PORT ORDERLY_RABBITMQ_DIST_PORT ORDERLY_RABBITMQ_EPMD_PORT ORDERLY_AUTH_SERVER_PORT
  ORDERLY_ORDER_API_PORT ORDERLY_ORDER_API_MANAGEMENT_PORT ORDERLY_ORDER_WORKER_PORT ORDERLY_PAYMENT_WORKER_PORT
  ORDERLY_SHIPPING_WORKER_PORT ORDERLY_OUTBOX_RELAY_PORT)
EPHEMERAL_LOW=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
ports_for_job() { # job number -> its block, exported
  local base=$((EPHEMERAL_LOW - 100 * ($1 + 1))) i=0 variable
  for variable in "${PORT_VARIABLES[@]}"; do export "$variable=$((base + i))"; i=$((i + 1)); done
}

# Runs a job's scripts in turn (the job's number $2 picks its ports); each one's exit status and seconds in
# $LOGS/NAME.result.
run_job() {
  local names=($1) name started status shared=
  (( JOBS > 1 )) && ports_for_job "$2"
  if (( ${#names[@]} > 1 )); then
    shared=$(mktemp -d /tmp/orderly-smoke.XXXXXX)
    export ORDERLY_BENCH_STATE_DIR=$shared
  fi
  for name in "${names[@]}"; do
    started=$SECONDS status=0
    SMOKE=1 timeout 600 "$ROOT/bench/$name.sh" >"$LOGS/$name.log" 2>&1 || status=$?
    echo "$status $((SECONDS - started))" >"$LOGS/$name.result"
  done
  if [[ -n $shared ]]; then
    ORDERLY_STATE_DIR=$shared "$ROOT/orderly" down >"$LOGS/${names[0]}-down.log" 2>&1 || true
    rm -rf "$shared"
  fi
}

# A job's end: for each of its scripts, ok, or FAILED with the end of its log.
declare -A RUNNING=()
failed=()
await_job() {
  local pid names name status seconds log
  wait -n -p pid "${!RUNNING[@]}" || true
  names=${RUNNING[$pid]}
  unset "RUNNING[$pid]"
  for name in $names; do
    log=$LOGS/$name.log status=killed seconds=?
    [[ -f $LOGS/$name.result ]] && read -r status seconds <"$LOGS/$name.result"
    if [[ $status == 0 ]] && grep -q '^## summary' "$log"; then
      printf 'bench/%s.sh (SMOKE=1) ... ok in %ss\n' "$name" "$seconds" >&2
    else
      printf 'bench/%s.sh (SMOKE=1) ... FAILED (exit %s) in %ss; the last lines of %s:\n' "$name" "$status" "$seconds" "$log" >&2
      tail -n 40 "$log" >&2
      failed+=("$name")
    fi
  done
}

began=$SECONDS
for number in "${!jobs[@]}"; do
  job=${jobs[$number]}
  while (( ${#RUNNING[@]} >= JOBS )); do await_job; done
  for name in $job; do rm -f "$LOGS/$name.result"; done
  run_job "$job" "$number" &
  RUNNING[$!]=$job
done
while (( ${#RUNNING[@]} )); do await_job; done
if (( ${#failed[@]} )); then
  echo "benchmarks that do not run: ${failed[*]} (logs in $LOGS)" >&2
  exit 1
fi
echo "every benchmark ran in smoke mode, in $((SECONDS - began))s (logs in $LOGS)" >&2
