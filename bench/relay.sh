#!/usr/bin/env bash
# Outbox relay benchmark, in one run on this machine: RabbitMQ PerfTest as the ceiling (quorum queue, 1 KiB persistent
# messages, publisher confirms), the relay draining a 200,000-row backlog into the same kind of queue, and the latency
# from an outbox row's commit to a consumer receiving it, at fixed rates. Prints figures; asserts nothing.
#
#   bench/relay.sh                          # 30 s per latency step after 15 s of warm-up, 200,000 rows drained
#   DURATION=60 RATES="250 1000 2000" bench/relay.sh
#   SMOKE=1 bench/relay.sh                  # the whole path in about a minute; figures meaningless
#   ORDERLY_RELAY_PARTITIONS=4 bench/relay.sh   # the table divided into four partitions, drained side by side
#   BACKLOG_ROWS=50000 RESTART_SECONDS=0    # (d) a larger backlog of small transactions; (e) skipped
#   PEER=debezium bench/relay.sh            # then Debezium Server (bench/debezium.sh) at its default 500 ms poll and at
#                                           # 20 ms, through the same table, writer, consumer and measurement, side by
#                                           # side in one table; rates 250 1000 2000, a 100,000-row drain
#
# It starts its own private PostgreSQL and RabbitMQ (./orderly up with a throwaway state directory and
# ORDERLY_SERVICES=order-api, which starts an idle order-api and no relay or worker of its own), builds and starts the
# relay's runnable jar, and stops everything afterwards.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The JDK and the packages, found or installed the way ./orderly does it.
# shellcheck source=../tools/machine.sh
. "$ROOT/tools/machine.sh"
ensure_jdk
ensure_packages
ensure_commands curl
PEER=${PEER:-}
[[ -z $PEER || $PEER == debezium ]] || { echo "PEER=$PEER: the one peer measured is debezium" >&2; exit 2; }
if [[ -n ${SMOKE:-} ]]; then
  : "${DURATION:=2}" "${WARMUP:=1}" "${RATES:=250}" "${DRAIN_ROWS:=2000}" "${WARMUP_ROWS:=1000}" "${PERFTEST_SECONDS:=2}" \
    "${BACKLOG_ROWS:=500}" "${RESTART_SECONDS:=0}"
fi
if [[ -n $PEER ]]; then
  : "${RATES:=250 1000 2000}" "${DRAIN_ROWS:=100000}"
  # Debezium reads the table's changes from the WAL: the pipeline's PostgreSQL runs with wal_level=logical, for the
  # relay's steps too, so that both are measured against the same server.
  export ORDERLY_POSTGRES_OPTIONS="${ORDERLY_POSTGRES_OPTIONS:-} -c wal_level=logical"
fi
DURATION=${DURATION:-30}
# (d) a backlog of BACKLOG_ROWS rows in as many transactions, written while the publisher is down; (e) RESTART_RATE
# rows/s for RESTART_SECONDS measured, the broker stopped and started again RESTART_AT seconds in. BACKLOG_ROWS=0 or
# RESTART_SECONDS=0 skips a step.
# A smoke run skips (e), which takes a broker's stop and start and up to a minute's wait (SMOKE=1 RESTART_SECONDS=10
# runs it).
BACKLOG_ROWS=${BACKLOG_ROWS:-20000}
RESTART_SECONDS=${RESTART_SECONDS:-40}
RESTART_RATE=${RESTART_RATE:-250}
RESTART_AT=${RESTART_AT:-5}
WARMUP=${WARMUP:-15}
RATES=${RATES:-"250 1000"}
DRAIN_ROWS=${DRAIN_ROWS:-200000}
WARMUP_ROWS=${WARMUP_ROWS:-20000}
PERFTEST_SECONDS=${PERFTEST_SECONDS:-30}
# ORDERLY_BENCH_STATE_DIR: the state directory of a pipeline to run on (order-api only, backpressure off), which is left
# running (bench/smoke.sh runs bench/intake.sh and this script on one); ./orderly up starts it there if it does not run.
STATE=${ORDERLY_BENCH_STATE_DIR:-$(mktemp -d /tmp/orderly-relay-bench.XXXXXX)}
export ORDERLY_STATE_DIR=$STATE LOGGING_STRUCTURED_FORMAT_CONSOLE= ORDERLY_API_BACKPRESSURE_ENABLED=false ORDERLY_SERVICES=order-api
RELAY_PID=

stop_relay() {
  if [[ -n $RELAY_PID ]] && kill -0 "$RELAY_PID" 2>/dev/null; then
    kill "$RELAY_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$RELAY_PID" 2>/dev/null || true
  fi
  RELAY_PID=
}

cleanup() {
  local status=$?
  if (( status != 0 )); then
    for log in client.err relay.log; do
      [[ -s $STATE/$log ]] && { echo "--- last lines of $log" >&2; tail -n 30 "$STATE/$log" >&2; }
    done
  fi
  stop_relay
  [[ -z $PEER ]] || debezium_stop
  if [[ -z ${ORDERLY_BENCH_STATE_DIR:-} ]]; then
    "$ROOT/orderly" down >/dev/null 2>&1 || true
    rm -rf "$STATE"
  fi
}
trap cleanup EXIT

# Every port a free one (./orderly picks them), so a pipeline someone else runs on this machine is never disturbed.
export ORDERLY_PORTS=free
"$ROOT/orderly" up >/dev/null
set -a; . "$STATE/env"; set +a
# The JDK ./orderly found (or installed) for order-api serves the build, PerfTest, the relay and the client alike.
JAVA=$(readlink -f "/proc/$(cat "$STATE/run/order-api.pid")/exe")
export JAVA_HOME=${JAVA%/bin/java}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
psql_() { PGPASSWORD=$ORDERLY_POSTGRES_PASSWORD "$PGBIN/psql" -h 127.0.0.1 -p "$ORDERLY_POSTGRES_PORT" -U postgres -d orderly -qtA "$@"; }

echo "# Orderly outbox relay benchmark — $(date -u +%FT%TZ)"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); PostgreSQL $(psql_ -c 'SHOW server_version'); RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo '?'); $("$JAVA" -version 2>&1 | head -n 1)"
echo "# PerfTest, the relay, PostgreSQL, RabbitMQ and the load generator share these cores"

echo
echo "## building the relay and the benchmark client"
# The reactor build packages every module the relay's tests depend on, order-api's runnable jar among them, which
# order-api runs from right now. When the checkout's runnable jars were just built (ORDERLY_BUILD=never: ./orderly test,
# after ./mvnw verify) they are not packaged again, so no jar is rewritten under a service of this or another run.
BUILD=(-q -B -DskipTests -Dspotless.check.skip=true package -pl outbox-relay -am)
# Every build writes the client's classpath (target/bench.classpath, outbox-relay's pom): when the checkout was just
# built, the jar, the classes and that file are all there and no build is needed.
if [[ ${ORDERLY_BUILD:-auto} == never ]] && ls "$ROOT"/outbox-relay/target/outbox-relay-*-exec.jar >/dev/null 2>&1 &&
  [[ -s $ROOT/outbox-relay/target/bench.classpath && -d $ROOT/outbox-relay/target/test-classes ]]; then
  echo "  (the checkout's build: $ROOT/outbox-relay/target)"
else
  if [[ ${ORDERLY_BUILD:-auto} == never ]] && ls "$ROOT"/outbox-relay/target/outbox-relay-*-exec.jar >/dev/null 2>&1; then
    BUILD+=(-Dspring-boot.repackage.skip=true)
  fi
  (cd "$ROOT" && ./mvnw -o "${BUILD[@]}" 2>/dev/null || ./mvnw "${BUILD[@]}") >"$STATE/build.log" 2>&1 ||
    { tail -n 40 "$STATE/build.log" >&2; echo "build failed" >&2; exit 1; }
fi
RELAY_JAR=$(ls "$ROOT"/outbox-relay/target/outbox-relay-*-exec.jar | head -n 1)
# The relay runs from its jar extracted the way ./orderly up runs every service (Spring Boot's tools layout: the
# application's jar beside its libraries, read by the JVM's own class loader), which starts it in two thirds of the time
# the fat jar takes; the extraction is the run's own, in its state directory.
rm -rf "$STATE/relay-run"
"$JAVA" -Djarmode=tools -jar "$RELAY_JAR" extract --destination "$STATE/relay-run" >"$STATE/relay-extract.log" 2>&1 ||
  { cat "$STATE/relay-extract.log" >&2; echo "extracting $RELAY_JAR failed" >&2; exit 1; }
RELAY_RUNNABLE=$STATE/relay-run/$(basename "$RELAY_JAR")
CLIENT_CP="$ROOT/outbox-relay/target/test-classes:$ROOT/outbox-relay/target/classes:$(cat "$ROOT/outbox-relay/target/bench.classpath")"
client() { "$JAVA" -XX:+UseSerialGC -cp "$CLIENT_CP" dev.orderly.relay.bench.RelayBenchmark "$@" 2>"$STATE/client.err"; }

# shellcheck source=perftest.sh
. "$ROOT/bench/perftest.sh"
if [[ -n $PEER ]]; then
  # shellcheck source=debezium.sh
  . "$ROOT/bench/debezium.sh"
  debezium_home >/dev/null || exit 1
  debezium_prepare || exit 1
fi

# CPU seconds so far: of one process; of PostgreSQL (the postmaster, the backends it has reaped and the ones that run);
# of RabbitMQ's Erlang VM.
TICKS=$(getconf CLK_TCK)
cpu_of() { awk -v t="$TICKS" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_cpu() {
  local postmaster
  postmaster=$(head -n 1 "$STATE/postgres/postmaster.pid")
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat"
    for child in $(cat "/proc/$postmaster/task/$postmaster/children" 2>/dev/null); do
      awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null
    done; } | awk -v t="$TICKS" '{s += $1} END {printf "%.2f", s / t}'
}
rabbit_cpu() { cpu_of "$(cat "$STATE/run/rabbitmq-vm.pid")"; }
# Each process's share of one core between two readings ("publisher postgres rabbitmq" seconds) over SECONDS.
cpu_shares() { # BEFORE AFTER SECONDS
  awk -v b="$1" -v a="$2" -v d="$3" 'BEGIN { n = split(b, x, " "); split(a, y, " ")
    for (i = 1; i <= n; i++) printf "%s%.0f", (i > 1 ? " " : ""), 100 * (y[i] - x[i]) / d }'
}
cpu_now() { echo "$(cpu_of "$1") $(postgres_cpu) $(rabbit_cpu)"; }

echo
echo "## (a) PerfTest: 1 producer, 1 consumer, quorum queue, 1 KiB persistent, confirms (500 outstanding), ${PERFTEST_SECONDS}s"
perftest "$PERFTEST_SECONDS" "$STATE/perftest.txt" || exit 1
grep -E "sending rate avg|receiving rate avg|consumer latency min/median/75th/95th/99th|confirm latency min/median/75th/95th/99th" "$STATE/perftest.txt" | sed 's/^/  /'
PERFTEST_RATE=$(sed -n 's/.*sending rate avg: \([0-9]*\) msg\/s.*/\1/p' "$STATE/perftest.txt" | tail -n 1)
[[ -n $PERFTEST_RATE ]] || { cat "$STATE/perftest.txt" >&2; echo "PerfTest printed no rate" >&2; exit 1; }
# The latency floor: the broker alone, from PerfTest's publish to its consumer, at each rate the publishers are measured
# at. A publisher's commit-to-consumer latency includes this path. The two are measured minutes apart, and on a noisy
# host the broker's own tail moves from minute to minute (a short smoke run has shown it above the relay's): read them
# side by side, not one taken from the other.
declare -A FLOOR
for rate in $RATES; do
  echo
  echo "## (a) PerfTest at $rate msg/s, $((WARMUP + DURATION))s: the broker's own publish-to-consumer latency, the floor of (c)"
  perftest "$((WARMUP + DURATION))" "$STATE/perftest-$rate.txt" "$rate" || exit 1
  FLOOR[$rate]=$(sed -n 's|.*consumer latency min/median/75th/95th/99th \([0-9/]*\) µs.*|\1|p' "$STATE/perftest-$rate.txt" |
    tail -n 1 | awk -F/ '{ printf "%.1f %.1f", $2 / 1000, $5 / 1000 }')
  [[ -n ${FLOOR[$rate]} ]] || { cat "$STATE/perftest-$rate.txt" >&2; echo "PerfTest printed no latency" >&2; exit 1; }
  printf '  p50 %s ms, p99 %s ms\n' ${FLOOR[$rate]}
done

start_relay() {
  echo
  echo "## starting the relay ($(basename "$RELAY_JAR") extracted, -XX:+UseSerialGC -XX:MaxRAM=512m, as ./orderly starts services; ${ORDERLY_RELAY_PARTITIONS:-1} partition(s) per table)"
  # The relay's port ./orderly chose but left unused (it started order-api only).
  RELAY_PORT=$ORDERLY_OUTBOX_RELAY_PORT
  SERVER_PORT=$RELAY_PORT \
  SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:$ORDERLY_POSTGRES_PORT/orderly?sslmode=verify-full&sslrootcert=$STATE/tls/ca.crt" \
  SPRING_DATASOURCE_PASSWORD=$ORDERLY_POSTGRES_RELAY_PASSWORD \
  SPRING_RABBITMQ_PORT=$ORDERLY_RABBITMQ_PORT \
  SPRING_RABBITMQ_SSL_ENABLED=true SPRING_RABBITMQ_SSL_BUNDLE=rabbitmq \
  SPRING_SSL_BUNDLE_PEM_RABBITMQ_KEYSTORE_CERTIFICATE=file:$STATE/tls/client.crt \
  SPRING_SSL_BUNDLE_PEM_RABBITMQ_KEYSTORE_PRIVATE_KEY=file:$STATE/tls/client.key \
  SPRING_SSL_BUNDLE_PEM_RABBITMQ_TRUSTSTORE_CERTIFICATE=file:$STATE/tls/ca.crt \
  SPRING_RABBITMQ_USERNAME=orderly-admin SPRING_RABBITMQ_PASSWORD=$ORDERLY_RABBITMQ_ADMIN_PASSWORD \
  ORDERLY_RELAY_ROUTES_MANAGEMENT_URL=http://127.0.0.1:$ORDERLY_RABBITMQ_MANAGEMENT_PORT \
  SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI=http://127.0.0.1:$ORDERLY_AUTH_SERVER_PORT/oauth2/jwks \
    setsid "$JAVA" -XX:+UseSerialGC -Xss512k -XX:MaxRAM=512m ${SMOKE:+-XX:TieredStopAtLevel=1} -jar "$RELAY_RUNNABLE" \
    --orderly.relay.instance-id=bench \
    >>"$STATE/relay.log" 2>&1 </dev/null &
  RELAY_PID=$!
  for _ in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:$RELAY_PORT/actuator/health/readiness" >/dev/null 2>&1 && return 0
    kill -0 "$RELAY_PID" 2>/dev/null || { tail -n 40 "$STATE/relay.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "the relay was not ready within 120 s" >&2
  exit 1
}

# The publisher NAME (relay, or debezium-POLL) stopped, and started again where it stopped; its PID in PUB_PID.
publisher_pause() { if [[ $1 == relay ]]; then stop_relay; else debezium_pause; fi; }
publisher_resume() {
  if [[ $1 == relay ]]; then start_relay >/dev/null; PUB_PID=$RELAY_PID; else debezium_launch "$1" || exit 1; PUB_PID=$DEBEZIUM_PID; fi
}

# Stops the pipeline's broker (SIGTERM to its Erlang VM: a clean stop) and starts it again with ./orderly up, which
# starts what is not running; prints how long it was down.
broker_restart() {
  local vm began
  vm=$(cat "$STATE/run/rabbitmq-vm.pid")
  began=$(date +%s.%N)
  kill -TERM "$vm"
  for _ in $(seq 1 300); do kill -0 "$vm" 2>/dev/null || break; sleep 0.2; done
  "$ROOT/orderly" up >/dev/null
  awk -v b="$began" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - b }'
}

# measure NAME PID DRAIN_MODE: a publisher's warm-up, drain and latency steps (bench/relay.sh's (b) and (c)); its
# figures in DRAINED[NAME], CONSUMED[NAME], LAT[NAME,RATE] ("p50 p99 max") and CPU[NAME,STEP] ("publisher postgres
# rabbitmq", % of one core). DRAIN_MODE "consumed" waits for the consumer alone, for a publisher that marks nothing.
declare -A DRAINED CONSUMED LAT CPU
measure() {
  local name=$1 pid=$2 mode=${3:-} before after rate line
  echo
  echo "## $name: warm-up, ${WARMUP}s at 1,000 rows/s and a ${WARMUP_ROWS}-row drain (not measured)"
  client drain "$WARMUP_ROWS" $mode >/dev/null
  client latency 1000 "$WARMUP" 0 >/dev/null

  echo
  echo "## (b) $name drains a backlog of $DRAIN_ROWS rows (about 1 KiB each, one transaction) into a quorum queue with one consumer"
  before=$(cpu_now "$pid")
  # Its output goes to stderr through a file: tee /dev/stderr would reopen, and so truncate, a log stderr is sent to.
  client drain "$DRAIN_ROWS" $mode >"$STATE/drain-$name.txt"
  cat "$STATE/drain-$name.txt" >&2
  DRAIN=$(grep '^RESULT' "$STATE/drain-$name.txt")
  after=$(cpu_now "$pid")
  eval "$(echo "$DRAIN" | sed 's/^RESULT //')"
  DRAINED[$name]=$published_rate CONSUMED[$name]=$consumed_rate
  CPU[$name,drain]=$(cpu_shares "$before" "$after" "$published_s")
  if [[ $mode == consumed ]]; then
    printf '  consumed: %s rows/s in %s s (nothing marks the rows); CPU %% of one core (publisher, PostgreSQL, RabbitMQ): %s\n' \
      "$consumed_rate" "$consumed_s" "${CPU[$name,drain]}"
  else
    printf '  published (confirmed and marked): %s rows/s in %s s; consumed: %s rows/s; CPU %% of one core (publisher, PostgreSQL, RabbitMQ): %s\n' \
      "$published_rate" "$published_s" "$consumed_rate" "${CPU[$name,drain]}"
  fi

  for rate in $RATES; do
    echo
    echo "## (c) $name: latency from commit to consumer at $rate rows/s: ${WARMUP}s warm-up, ${DURATION}s measured"
    before=$(cpu_now "$pid")
    line=$(client latency "$rate" "$DURATION" "$WARMUP" | grep '^RESULT')
    after=$(cpu_now "$pid")
    eval "$(echo "$line" | sed 's/^RESULT //')"
    LAT[$name,$rate]="$p50_ms $p99_ms $max_ms"
    CPU[$name,$rate]=$(cpu_shares "$before" "$after" "$((DURATION + WARMUP))")
    printf '  achieved %s rows/s (%s given up unwritten, not begun within 1 s of when due: the writer fell behind), %s measured, %s missing: p50 %s ms, p95 %s ms, p99 %s ms, p99.9 %s ms, max %s ms; CPU %% of one core (publisher, PostgreSQL, RabbitMQ): %s\n' \
      "$achieved" "$unwritten" "$measured" "$missing" "$p50_ms" "$p95_ms" "$p99_ms" "$p999_ms" "$max_ms" "${CPU[$name,$rate]}"
  done
  PUB_PID=$pid
  (( BACKLOG_ROWS > 0 )) && measure_backlog "$name"
  (( RESTART_SECONDS > 0 )) && measure_restart "$name"
  return 0
}

# (d): the publisher stopped, BACKLOG_ROWS rows committed one transaction each, then a consumer started, then the
# publisher; BACKLOG[NAME] is "consumed rows/s from the first message to the last, seconds to the first message (the
# publisher's start included), messages consumed".
declare -A BACKLOG RESTART
measure_backlog() {
  local name=$1 awaiting began before after took
  echo
  echo "## (d) $name: a backlog of $BACKLOG_ROWS rows written one transaction each (8 writers) while it is down, then drained"
  publisher_pause "$name"
  eval "$(client backlog-write "$BACKLOG_ROWS" | grep '^RESULT' | sed 's/^RESULT //')"
  printf '  written in %s s (%s rows/s) with the publisher down\n' "$write_s" "$write_rate"
  # The consumer first, then the publisher: the wait for the first message includes the publisher's start.
  client backlog-await "$BACKLOG_ROWS" >"$STATE/backlog-$name.txt" &
  awaiting=$!
  for _ in $(seq 1 300); do grep -q '^CONSUMING' "$STATE/backlog-$name.txt" && break; sleep 0.1; done
  began=$(date +%s.%N)
  before="0 $(postgres_cpu) $(rabbit_cpu)"
  publisher_resume "$name"
  wait "$awaiting" || { echo "the backlog's consumer failed" >&2; exit 1; }
  after=$(cpu_now "$PUB_PID")
  took=$(awk -v b="$began" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - b }')
  eval "$(grep '^RESULT' "$STATE/backlog-$name.txt" | sed 's/^RESULT //')"
  BACKLOG[$name]="$flowing_rate $first_s $consumed"
  CPU[$name,backlog]=$(cpu_shares "$before" "$after" "$took")
  printf '  consumed %s of %s: %s rows/s from the first message to the last (%s s), the first %s s after the publisher was started; CPU %% of one core from its start (publisher, PostgreSQL, RabbitMQ): %s\n' \
    "$consumed" "$backlog_rows" "$flowing_rate" "$flowing_s" "$first_s" "${CPU[$name,backlog]}"
}

# (e): RESTART_RATE rows/s, the broker restarted RESTART_AT s into the measured time; RESTART[NAME] is "missing p99 max
# state" (state: whether the publisher still runs afterwards).
measure_restart() {
  local name=$1 restarter line state
  echo
  echo "## (e) $name: $RESTART_RATE rows/s for ${RESTART_SECONDS}s after ${WARMUP}s of warm-up, the broker stopped and started again ${RESTART_AT}s in; rows not received 60 s after the last was written are missing"
  ( sleep $((WARMUP + RESTART_AT)); broker_restart ) >"$STATE/restart-$name.txt" 2>&1 &
  restarter=$!
  line=$(client latency "$RESTART_RATE" "$RESTART_SECONDS" "$WARMUP" 60 | grep '^RESULT')
  wait "$restarter" || { cat "$STATE/restart-$name.txt" >&2; echo "restarting the broker failed" >&2; exit 1; }
  eval "$(echo "$line" | sed 's/^RESULT //')"
  if kill -0 "$PUB_PID" 2>/dev/null; then state=running; else state=exited; fi
  if [[ $state == exited && -f $STATE/$name/debezium.log ]]; then
    # Its log is Quarkus's JSON, one object a line: the first error's messages, its exception's among them.
    echo "  why it exited (the first error in its log): $(grep -m 1 '"level":"ERROR"' "$STATE/$name/debezium.log" |
      grep -o '"message":"[^"]*"' | head -n 3 | sed 's/^"message"://' | paste -sd ' ' | cut -c1-400)"
  fi
  RESTART[$name]="$missing $p99_ms $max_ms $state"
  printf '  the broker was down %s s; %s measured, %s missing: p50 %s ms, p99 %s ms, max %s ms; the publisher afterwards: %s\n' \
    "$(tail -n 1 "$STATE/restart-$name.txt")" "$measured" "$missing" "$p50_ms" "$p99_ms" "$max_ms" "$state"
}

start_relay
measure relay "$RELAY_PID"
DRAIN_RATE=${DRAINED[relay]}
declare -A P99
for rate in $RATES; do P99[$rate]=$(echo "${LAT[relay,$rate]}" | awk '{print $2}'); done
PUBLISHERS=(relay)
if [[ -n $PEER ]]; then
  stop_relay
  for poll in 500 20; do
    echo
    echo "## starting Debezium Server $DEBEZIUM_VERSION, poll.interval.ms=$poll (-XX:+UseSerialGC -Xss512k -XX:MaxRAM=512m, the relay's flags)"
    debezium_start "debezium-$poll" "$poll" || exit 1
    measure "debezium-$poll" "$DEBEZIUM_PID" consumed
    PUBLISHERS+=("debezium-$poll")
    debezium_stop
  done
fi

echo
echo "## summary"
awk -v d="$DRAIN_RATE" -v p="$PERFTEST_RATE" 'BEGIN {
  printf "  drain %.0f rows/s vs PerfTest %.0f msg/s = %.0f%% (target >= 60%%)\n", d, p, 100 * d / p }'
for rate in $RATES; do
  printf '  p99 at %s rows/s: the relay %s ms, the broker alone (PerfTest) %s ms\n' "$rate" "${P99[$rate]}" "${FLOOR[$rate]#* }"
done
echo "  relay log: $(grep -c ' WARN \| ERROR ' "$STATE/relay.log" || true) WARN/ERROR lines"
if [[ -n $PEER ]]; then
  echo
  echo "## side by side (this run; PerfTest $PERFTEST_RATE msg/s; CPU % of one core: publisher / PostgreSQL / RabbitMQ)"
  echo
  header="| step |" rule="|---|"
  for name in "${PUBLISHERS[@]}"; do header+=" $name |"; rule+="---|"; done
  echo "$header"; echo "$rule"
  row="| drain of $DRAIN_ROWS rows (one transaction): consumed rows/s, % of PerfTest |"
  for name in "${PUBLISHERS[@]}"; do
    row+=$(awk -v c="${CONSUMED[$name]}" -v p="$PERFTEST_RATE" 'BEGIN { printf " %.0f (%.0f%%) |", c, 100 * c / p }')
  done
  echo "$row"
  row="| drain: CPU |"
  for name in "${PUBLISHERS[@]}"; do row+=" ${CPU[$name,drain]// / \/ } |"; done
  echo "$row"
  for rate in $RATES; do
    row="| $rate rows/s: p50 / p99 / max ms |"
    for name in "${PUBLISHERS[@]}"; do row+=" ${LAT[$name,$rate]// / \/ } |"; done
    echo "$row"
    # The floor is one figure of the run, not of a publisher: it stands in the first publisher's column.
    row="| $rate rows/s: the broker alone (PerfTest at $rate msg/s), p50 / p99 ms | ${FLOOR[$rate]// / \/ } |"
    for name in "${PUBLISHERS[@]:1}"; do row+=" |"; done
    echo "$row"
    row="| $rate rows/s: CPU |"
    for name in "${PUBLISHERS[@]}"; do row+=" ${CPU[$name,$rate]// / \/ } |"; done
    echo "$row"
  done
  if (( BACKLOG_ROWS > 0 )); then
    row="| backlog of $BACKLOG_ROWS rows, one transaction each, written while down: consumed rows/s (% of PerfTest), first message s after start |"
    for name in "${PUBLISHERS[@]}"; do
      row+=$(echo "${BACKLOG[$name]}" | awk -v p="$PERFTEST_RATE" '{ printf " %.0f (%.0f%%), %s s |", $1, 100 * $1 / p, $2 }')
    done
    echo "$row"
    row="| backlog: CPU from the publisher's start |"
    for name in "${PUBLISHERS[@]}"; do row+=" ${CPU[$name,backlog]// / \/ } |"; done
    echo "$row"
  fi
  if (( RESTART_SECONDS > 0 )); then
    row="| broker restart at $RESTART_RATE rows/s: missing / p99 / max ms / publisher afterwards |"
    for name in "${PUBLISHERS[@]}"; do row+=" ${RESTART[$name]// / \/ } |"; done
    echo "$row"
  fi
  for name in "${PUBLISHERS[@]:1}"; do
    echo "  $name log: $(grep -c '"level":"WARN"\|"level":"ERROR"' "$STATE/$name/debezium.log" || true) WARN/ERROR lines"
  done
fi
