#!/usr/bin/env bash
# Worker benchmark: how many events/s each worker applies through its real transaction path (parse and validate,
# processed_events insert, state change, outbox row, commit, ack), draining a pre-loaded work queue at prefetch 20 and
# 100, with processing-time percentiles from the runtime's orderly.consumer.processing histogram. Prints figures;
# asserts nothing.
#
#   bench/workers.sh                              # 20,000 events per drain, concurrency 4, all three workers
#   N=50000 CONCURRENCY=8 bench/workers.sh
#   WORKERS="payment-worker" bench/workers.sh
#
# Each worker runs in-process in its *WorkerBenchmark (test sources; never part of ./mvnw verify), against the same
# private PostgreSQL and RabbitMQ the integration tests use (started on free loopback ports, stopped afterwards). Per
# worker: a 5,000-event warm-up drain (the JIT), then one drain at prefetch 20 and one at 100; the rate is taken over the
# last 90% of each drain. The payment gateway and carrier simulators run with latency 0 and no injected failures.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-20000}
CONCURRENCY=${CONCURRENCY:-4}
WORKERS=${WORKERS:-"order-worker payment-worker shipping-worker"}
cd "$ROOT"
[[ -n ${JAVA_HOME:-} ]] || { echo "set JAVA_HOME to a JDK 21+" >&2; exit 1; }

./mvnw -q -B install -DskipTests -Dspotless.check.skip=true -pl common-contracts,common-messaging,test-support,order-api >&2

echo "# Orderly worker benchmark — $(date -u +%FT%TZ)"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); PostgreSQL $(ls /usr/lib/postgresql | sort -V | tail -n 1); RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo '?')"
echo "# $N events per drain, concurrency $CONCURRENCY"
echo
echo "| worker | event | prefetch | concurrency | events | events/s | p50 ms | p90 ms | p99 ms |"
echo "|---|---|---|---|---|---|---|---|---|"
for worker in $WORKERS; do
  class=$(ls "$worker"/src/test/java/dev/orderly/worker/*/*WorkerBenchmark.java | xargs -n1 basename | sed 's/.java$//')
  rm -f "$worker/target/benchmark.md"
  ./mvnw -q -B verify -pl "$worker" -Dspotless.check.skip=true -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test="$class" -Dbench.messages="$N" -Dorderly.messaging.listener.concurrency="$CONCURRENCY" \
    -DargLine="-Dbench.messages=$N -Dorderly.messaging.listener.concurrency=$CONCURRENCY -XX:+UseSerialGC -XX:MaxRAM=1g" >&2 ||
    { echo "$worker: the benchmark failed; see $worker/target/failsafe-reports" >&2; exit 1; }
  cat "$worker/target/benchmark.md"
done
